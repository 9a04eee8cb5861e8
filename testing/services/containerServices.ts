import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './localServices.js';
import type { TestServices } from './TestServices.js';

interface Stoppable { stop(): Promise<unknown> }

/**
 * Kafka (KRaft), TimescaleDB and Prometheus in containers, for machines with a Docker daemon. Prometheus
 * shares the host network so that it can scrape the processes the tests start on loopback.
 */
export async function startContainerServices(need: { kafka: boolean; postgres: boolean; prometheus: boolean }):
  Promise<{ services: Partial<TestServices>; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started: Stoppable[] = [];
  const services: { -readonly [K in keyof TestServices]?: TestServices[K] } = {};
  try {
    if (need.kafka) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.1').withKraft().start();
      started.push(kafka);
      services.kafkaBrokers = [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`];
    }
    if (need.postgres) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const postgres = await new PostgreSqlContainer('timescale/timescaledb:2.19.3-pg16').start();
      started.push(postgres);
      services.databaseUrl = postgres.getConnectionUri();
    }
    if (need.prometheus) {
      const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
      const targets = join(dir, 'targets');
      copyFileSync(join(PROJECT_ROOT, 'prometheus/alerts.yml'), join(dir, 'alerts.yml'));
      writeFileSync(join(dir, 'prometheus.yml'), [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        "rule_files: ['/etc/prometheus/alerts.yml']",
        'scrape_configs:',
        "  - job_name: tests",
        "    file_sd_configs: [{ files: ['/etc/prometheus/targets/*.json'], refresh_interval: 1s }]",
      ].join('\n'));
      const { mkdirSync } = await import('node:fs');
      mkdirSync(targets, { mode: 0o777 });
      const port = 19_990;
      const prometheus = await new GenericContainer('prom/prometheus:v2.55.1')
        .withNetworkMode('host')
        .withBindMounts([{ source: dir, target: '/etc/prometheus', mode: 'ro' }])
        .withCommand(['--config.file=/etc/prometheus/prometheus.yml', `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.path=/prometheus'])
        .withWaitStrategy(Wait.forLogMessage(/Server is ready to receive web requests/))
        .start();
      started.push(prometheus);
      services.prometheusUrl = `http://127.0.0.1:${port}`;
      services.prometheusTargetsDir = targets;
    }
  } catch (error) {
    await Promise.allSettled(started.map((c) => c.stop()));
    throw error;
  }
  return { services, stop: async () => { await Promise.allSettled(started.map((c) => c.stop())); } };
}
