import { startContainerServices } from './containerServices.js';
import { dockerAvailable } from './dockerAvailable.js';
import { localServicesRunning, readServicesEnv, servicesScript } from './localServices.js';
import { startTestPrometheus } from './startTestPrometheus.js';
import type { TestServices } from './TestServices.js';

const HOW_TO_PROVIDE = [
  'Integration tests need Kafka, PostgreSQL and Prometheus. Provide them in one of three ways:',
  '  1. set KAFKA_BROKERS, DATABASE_URL (and MIGRATION_DATABASE_URL, a role that may create schemas, if',
  '     DATABASE_URL may not) and PROMETHEUS_URL;',
  '  2. run a Docker daemon (testcontainers starts them);',
  '  3. let services/services.sh start them locally: it needs Java 17, Maven, PostgreSQL and Prometheus',
  '     (sudo apt-get install -y default-jre-headless maven postgresql prometheus), or run `make services-up` once.',
].join('\n');

/**
 * The services for this test run, in the documented order of preference: from the environment when set;
 * else containers when a Docker daemon answers; else the project's local Kafka and PostgreSQL (started here if
 * needed, and then stopped at the end) with a Prometheus of the run's own, never the user's (see
 * {@link startTestPrometheus}). `stop` undoes only what this call started.
 */
export async function resolveServices(env: Readonly<Record<string, string | undefined>>):
  Promise<{ services: TestServices; stop: () => Promise<void> }> {
  const fromEnv = { kafka: env['KAFKA_BROKERS'], postgres: env['DATABASE_URL'], prometheus: env['PROMETHEUS_URL'] };
  const migrationFromEnv = env['MIGRATION_DATABASE_URL'] ?? fromEnv.postgres;
  const need = { kafka: fromEnv.kafka === undefined, postgres: fromEnv.postgres === undefined, prometheus: fromEnv.prometheus === undefined };
  const envServices = (origin: TestServices['origin'], rest: Partial<TestServices>): TestServices => ({
    origin,
    kafkaBrokers: fromEnv.kafka?.split(',').map((b) => b.trim()) ?? rest.kafkaBrokers ?? [],
    databaseUrl: fromEnv.postgres ?? rest.databaseUrl ?? '',
    migrationDatabaseUrl: migrationFromEnv ?? rest.migrationDatabaseUrl ?? rest.databaseUrl ?? '',
    readerDatabaseUrl: fromEnv.postgres === undefined ? rest.readerDatabaseUrl ?? null : null,
    prometheusUrl: fromEnv.prometheus ?? rest.prometheusUrl ?? '',
    prometheusTargetsDir: fromEnv.prometheus === undefined ? rest.prometheusTargetsDir ?? null : env['PROMETHEUS_TARGETS_DIR'] ?? null,
  });

  if (!need.kafka && !need.postgres && !need.prometheus) return { services: envServices('env', {}), stop: async () => {} };

  if (await dockerAvailable()) {
    const containers = await startContainerServices(need);
    return { services: envServices('testcontainers', containers.services), stop: containers.stop };
  }

  const alreadyRunning = await localServicesRunning();
  if (!alreadyRunning) {
    try {
      await servicesScript('up');
    } catch (error) {
      throw new Error(`${HOW_TO_PROVIDE}\n\nStarting local services failed: ${(error as Error).message}`);
    }
  }
  const local = readServicesEnv();
  const prometheus = need.prometheus ? await startTestPrometheus() : null;
  const services = envServices('local', {
    kafkaBrokers: (local['KAFKA_BROKERS'] ?? '').split(','),
    databaseUrl: local['DATABASE_URL'] ?? '',
    migrationDatabaseUrl: local['MIGRATION_DATABASE_URL'] ?? '',
    readerDatabaseUrl: local['GRAFANA_DATABASE_URL'] ?? null,
    prometheusUrl: prometheus?.url ?? '',
    prometheusTargetsDir: prometheus?.targetsDir ?? null,
  });
  return {
    services,
    stop: async () => {
      await prometheus?.stop();
      if (!alreadyRunning) await servicesScript('down');
    },
  };
}
