import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARS, type EnvVarName } from './config/envVars.js';
import { PROGRAM_ENV } from './config/programs.js';

/** docker-compose.yml agrees with the project's configuration: programs, variables, ports, mounts. */

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  configs?: { source: string; target: string }[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const text = readFileSync(new URL('docker-compose.yml', import.meta.url), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; configs: Record<string, { content: string }>; volumes: Record<string, unknown> };
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (s === undefined) throw new Error(`no service ${name}`);
  return s;
};

/** The program each application service runs, by its compiled script. */
const PROGRAM_OF: Record<string, keyof typeof PROGRAM_ENV> = {
  'dist/scripts/createTopics.js': 'topics', 'dist/scripts/migrate.js': 'migrate', 'dist/producer/main.js': 'producer', 'dist/engine/main.js': 'engine',
};

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` and `${NAME:+replacement}` references, with their kind. */
const references = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?|:\+)([^}]*))?\}/g)]
  .map((m) => ({ name: m[1] ?? '', kind: m[2] ?? '', rest: m[3] ?? '' }));

const hostPort = (s: Service, containerPort: number) =>
  s.ports?.map((p) => p.split(':')).find((parts) => parts.at(-1) === String(containerPort))?.at(-2);

describe('docker-compose.yml', () => {
  it('runs the whole pipeline, its one-shot jobs and the observability stack', () => {
    expect(Object.keys(services).sort()).toEqual([
      'alertmanager', 'engine', 'grafana', 'kafka', 'migrate', 'producer', 'prometheus', 'timescaledb', 'topics',
    ]);
    expect(service('timescaledb').image).toMatch(/^timescale\/timescaledb:[0-9.]+-pg1[6-9]$/);
  });

  it('runs each application program with only variables that program reads, and the project\'s defaults', () => {
    for (const [name, s] of Object.entries(services).filter(([, s]) => s.build !== undefined)) {
      const program = PROGRAM_OF[s.command?.[1] ?? ''];
      expect(program, `${name} runs a known program`).toBeDefined();
      const reads = PROGRAM_ENV[program ?? 'tests'] as readonly string[];
      expect(Object.keys(s.environment ?? {}).filter((v) => !reads.includes(v)), `${name}: variables its program does not read`).toEqual([]);
    }
    for (const r of references.filter((r) => r.kind === ':-')) {
      expect(r.rest, `default of ${r.name}`).toBe((ENV_VARS[r.name as EnvVarName] as { default?: string }).default);
    }
  });

  it('declares every variable it reads, requires every secret without a default, and uses every compose variable', () => {
    const names = new Set(references.map((r) => r.name));
    expect([...names].filter((n) => !(n in ENV_VARS))).toEqual([]);
    const secrets = references.filter((r) => (ENV_VARS[r.name as EnvVarName] as { secret?: boolean; default?: string }).secret === true && !('default' in ENV_VARS[r.name as EnvVarName]));
    expect(secrets.filter((r) => r.kind !== ':?').map((r) => r.name), 'secrets without a default referenced with one, or optional').toEqual([]);
    expect(references.filter((r) => r.name === 'ALERT_WEBHOOK_URL').map((r) => r.kind), 'the webhook is optional: no receiver without it').toEqual([':+']);
    expect(PROGRAM_ENV.compose.filter((n) => !names.has(n)), 'compose variables never used').toEqual([]);
    const example = readFileSync(new URL('.env.example', import.meta.url), 'utf8');
    expect([...names].filter((n) => !new RegExp(`^${n}=`, 'm').test(example)), 'variables missing from .env.example').toEqual([]);
  });

  it('publishes the host ports the project\'s defaults point at', () => {
    const portOf = (url: string) => /:(\d+)(?:\/|$)/.exec(url)?.[1];
    expect(hostPort(service('kafka'), 19092)).toBe(portOf(ENV_VARS.KAFKA_BROKERS.default));
    expect(hostPort(service('prometheus'), 9090)).toBe(portOf(ENV_VARS.PROMETHEUS_URL.default));
    expect(hostPort(service('timescaledb'), 5432)).toBe(/^DEFAULT_PG_PORT=(\d+)$/m.exec(readFileSync(new URL('services/services.sh', import.meta.url), 'utf8'))?.[1]);
    expect(hostPort(service('grafana'), 3000)).toBe('3000');
    const scrape = readFileSync(new URL('prometheus/prometheus.yml', import.meta.url), 'utf8');
    expect(scrape).toContain(`producer:${ENV_VARS.METRICS_PORT.default}`);
    expect(scrape).toContain(`engine:${ENV_VARS.ENGINE_METRICS_PORT.default}`);
    expect(String(service('producer').environment?.['METRICS_PORT'])).toBe(ENV_VARS.METRICS_PORT.default);
    expect(String(service('engine').environment?.['ENGINE_METRICS_PORT'])).toBe(ENV_VARS.ENGINE_METRICS_PORT.default);
  });

  it('mounts files that exist, where Grafana, Prometheus and PostgreSQL look for them', () => {
    const binds = Object.values(services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':'));
    expect(binds.filter(([source]) => !existsSync(new URL(source ?? '', import.meta.url))).map(([source]) => source)).toEqual([]);
    const provider = parse(readFileSync(new URL('grafana/provisioning/dashboards/dashboards.yaml', import.meta.url), 'utf8')) as { providers: { options: { path: string } }[] };
    expect(service('grafana').volumes).toEqual(expect.arrayContaining([
      './grafana/provisioning:/etc/grafana/provisioning:ro', `./grafana/dashboards:${provider.providers[0]?.options.path ?? ''}:ro`,
    ]));
    expect(service('prometheus').volumes).toEqual(expect.arrayContaining(['./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro', './prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro']));
    expect(service('timescaledb').volumes).toEqual(expect.arrayContaining(['./db/roles.sql:/docker-entrypoint-initdb.d/10-roles.sql:ro']));
    expect(service('alertmanager').configs).toEqual([{ source: 'alertmanager', target: '/etc/alertmanager/alertmanager.yml' }]);
  });

  it('ships the provisioning directories the bind mount would otherwise hide, each with a file Grafana reads and that provisions nothing', () => {
    // Grafana logs an error at every start for a missing plugins/ or alerting/ directory, and warns about (older
    // versions refuse) any alerting/ file that is not *.yaml, *.yml or *.json: hence YAML files, not READMEs.
    const alerting = parse(readFileSync(new URL('grafana/provisioning/alerting/alerting.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(alerting).toEqual({ apiVersion: 1 });
    const plugins = parse(readFileSync(new URL('grafana/provisioning/plugins/plugins.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(plugins).toEqual({ apiVersion: 1, apps: [] });
    expect(readdirSync(new URL('grafana/provisioning/', import.meta.url)).sort()).toEqual(['alerting', 'dashboards', 'datasources', 'plugins']);
  });

  it('comes up in order from cold: every dependency is healthy or has completed, and every awaited service has a healthcheck', () => {
    const waits = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([d, c]) => [d, c.condition]))]));
    expect(waits).toEqual({
      kafka: {}, timescaledb: {}, alertmanager: {},
      topics: { kafka: 'service_healthy' },
      migrate: { timescaledb: 'service_healthy' },
      producer: { topics: 'service_completed_successfully' },
      engine: { topics: 'service_completed_successfully', migrate: 'service_completed_successfully' },
      prometheus: { alertmanager: 'service_healthy' },
      grafana: { prometheus: 'service_healthy', timescaledb: 'service_healthy', alertmanager: 'service_healthy', migrate: 'service_completed_successfully' },
    });
    const awaitedHealthy = new Set(Object.values(waits).flatMap((w) => Object.entries(w).filter(([, c]) => c === 'service_healthy').map(([d]) => d)));
    expect([...awaitedHealthy].filter((name) => service(name).healthcheck === undefined)).toEqual([]);
  });

  it('gives Grafana its admin password and its database password from the environment only', () => {
    expect(service('grafana').environment).toMatchObject({
      GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env}',
      GRAFANA_DB_PASSWORD: '${GRAFANA_DB_PASSWORD:?set GRAFANA_DB_PASSWORD in .env}',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
    });
    expect(text).not.toMatch(/PASSWORD: (?!\$\{)/);
  });
});
