import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readMigrations } from '../../db/runMigrations.js';
import { planTopics } from '../../kafka/planTopics.js';
import { topicNames } from '../../wire/topics.js';
import {
  commandLine, commandOutput, firstLine, installedPostgres, listeners, pathVariants, probeCoinbase, probePostgres, probeTopics, processArgv, processCwd,
  stateDirs, timescaleOnDisk,
} from './probes.js';
import { runsScript } from './runsScript.js';
import {
  coinbaseVerdict, javaVerdict, mavenVerdict, migrationsVerdict, nodeVerdict, notOursVerdict, packageMissing, portVerdict, timescaleVerdict, topicsVerdict,
  type CheckResult, type Installer, type PortSpec,
} from './verdicts.js';

/** The local services' default ports, as in services/services.sh (a test keeps them equal). */
export const DEFAULT_PORTS = { SERVICES_KAFKA_PORT: 19092, SERVICES_PG_PORT: 15432, SERVICES_PROMETHEUS_PORT: 19090, METRICS_PORT: 9464 } as const;

const COINBASE_URLS = { 'advanced-trade': 'wss://advanced-trade-ws.coinbase.com', exchange: 'wss://ws-feed.exchange.coinbase.com' } as const;

/**
 * Every check of `make doctor`, in the order it prints them. `env` is the environment with the settings of
 * `.services.env` under it (the environment wins, as for every make target); `projectRoot` ends with a slash.
 */
export async function runDoctor(projectRoot: string, env: Readonly<Record<string, string | undefined>>): Promise<CheckResult[]> {
  const setting = (name: string): string | undefined => (env[name] ?? '') === '' ? undefined : env[name];
  const installer: Installer = { rootWithApt: process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') };
  const engines = (JSON.parse(readFileSync(`${projectRoot}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;
  const port = (name: keyof typeof DEFAULT_PORTS): number => Number(setting(name) ?? DEFAULT_PORTS[name]);
  const kafkaPort = port('SERVICES_KAFKA_PORT');
  const brokers = setting('KAFKA_BROKERS') ?? `127.0.0.1:${kafkaPort}`;
  const databaseUrl = setting('MIGRATION_DATABASE_URL') ?? setting('DATABASE_URL');
  const schema = setting('DATABASE_SCHEMA') ?? 'public';
  const feed = setting('COINBASE_FEED') === 'exchange' ? 'exchange' : 'advanced-trade';
  const coinbaseUrl = setting('COINBASE_WS_URL') ?? COINBASE_URLS[feed];
  const states = stateDirs(projectRoot);
  const ranFrom = (marker: (state: string) => string) => (pid: number) => {
    const line = commandLine(pid);
    return states.some((state) => line.includes(marker(state)));
  };
  const producerScripts = pathVariants(`${projectRoot}dist/producer/main.js`);
  const runsOurProducer = (pid: number) => runsScript(processArgv(pid), processCwd(pid), producerScripts);

  const [java, maven, prometheus, alertmanager, docker, dockerServer, compose, builtCompose, sockets, coinbase, topics, server] = await Promise.all([
    commandOutput('java', ['-version']),
    commandOutput('mvn', ['-v']),
    commandOutput('prometheus', ['--version']),
    commandOutput('prometheus-alertmanager', ['--version']).then((v) => v ?? commandOutput('alertmanager', ['--version'])),
    commandOutput('docker', ['--version']),
    commandOutput('docker', ['version', '--format', '{{.Server.Version}}']),
    commandOutput('docker', ['compose', 'version']),
    commandOutput(`${projectRoot}.tools/bin/docker-compose`, ['version']),
    listeners(),
    probeCoinbase(coinbaseUrl),
    probeTopics(brokers.split(',').map((b) => b.trim())),
    databaseUrl === undefined ? Promise.resolve(null) : probePostgres(databaseUrl, schema),
  ]);

  const postgresVersions = installedPostgres();
  const cache = `${projectRoot}.services/cache`;
  let jarsCached = false;
  try {
    jarsCached = readdirSync(cache).some((d) => existsSync(`${cache}/${d}/lib/.complete`));
  } catch {
    // No cache yet, or not readable by this user: Maven is then needed.
  }
  const pgConf = existsSync(`${projectRoot}.services/postgres/data`) ? `${projectRoot}.services/postgres/data/postgresql.conf` : 'postgresql.conf';

  const results: CheckResult[] = [
    nodeVerdict(process.version, engines),
    javaVerdict(java, installer),
    mavenVerdict(firstLine(maven), jarsCached, installer),
    postgresVersions.length > 0
      ? { name: 'PostgreSQL', verdict: 'ok', detail: `PostgreSQL ${postgresVersions.join(', ')} installed`, blocksMainJob: false }
      : packageMissing('PostgreSQL', 'not installed (no /usr/lib/postgresql/*/bin/initdb)', 'postgresql', installer),
    timescaleVerdict(timescaleOnDisk(), server !== null && 'timescale' in server ? server.timescale : null, pgConf),
    prometheus !== null
      ? { name: 'Prometheus', verdict: 'ok', detail: firstLine(prometheus) ?? '', blocksMainJob: false }
      : packageMissing('Prometheus', 'no `prometheus` command', 'prometheus', installer),
    alertmanager !== null
      ? { name: 'Alertmanager', verdict: 'ok', detail: firstLine(alertmanager) ?? '', blocksMainJob: false }
      : { name: 'Alertmanager', verdict: 'warning', detail: 'not installed: only the integration tests need it', fix: 'sudo apt-get install -y --no-install-recommends prometheus-alertmanager', blocksMainJob: false },
    docker === null
      ? { name: 'Docker', verdict: 'warning', detail: 'not installed: only `make up` (the docker-compose stack) needs it', fix: 'install Docker Engine: https://docs.docker.com/engine/install/', blocksMainJob: false }
      : dockerServer === null
        ? { name: 'Docker', verdict: 'warning', detail: `${firstLine(docker) ?? 'docker'}, but its daemon does not answer: \`make up\` needs it`, fix: 'start the daemon (sudo systemctl start docker) or add yourself to the docker group', blocksMainJob: false }
        : { name: 'Docker', verdict: 'ok', detail: `${firstLine(docker) ?? 'docker'}, daemon ${dockerServer.trim()}`, blocksMainJob: false },
    compose !== null || builtCompose !== null
      ? { name: 'Docker Compose', verdict: 'ok', detail: firstLine(compose ?? builtCompose) ?? '', blocksMainJob: false }
      : { name: 'Docker Compose', verdict: 'warning', detail: 'Docker Compose is not installed: `make up` needs it', fix: 'install Docker\'s docker-compose-plugin package, or run `make tools` (builds it into .tools/bin, with Go ≥ 1.21)', blocksMainJob: false },
  ];

  const specs: (PortSpec & { ours: (pid: number) => boolean })[] = [
    { service: 'Kafka', port: kafkaPort, variable: 'SERVICES_KAFKA_PORT', command: 'make services-up', blocksMainJob: true, ours: ranFrom((s) => `${s}/kafka/server.properties`) },
    { service: 'Kafka\'s controller', port: kafkaPort + 1, variable: 'SERVICES_KAFKA_PORT', command: 'make services-up (the controller takes the next port)', blocksMainJob: true, ours: ranFrom((s) => `${s}/kafka/server.properties`) },
    { service: 'PostgreSQL', port: port('SERVICES_PG_PORT'), variable: 'SERVICES_PG_PORT', command: 'make services-up', blocksMainJob: true, ours: ranFrom((s) => `${s}/postgres/data`) },
    { service: 'Prometheus', port: port('SERVICES_PROMETHEUS_PORT'), variable: 'SERVICES_PROMETHEUS_PORT', command: 'make services-up', blocksMainJob: true, ours: ranFrom((s) => `${s}/prometheus/prometheus.yml`) },
    { service: 'the producer\'s /metrics', port: port('METRICS_PORT'), variable: 'METRICS_PORT', command: 'make producer', blocksMainJob: true, ours: runsOurProducer },
  ];
  // The port checks that found a service's port held by a program not this checkout's, by service.
  const notOurs = new Map<string, CheckResult>();
  for (const spec of specs) {
    if (sockets === null) {
      results.push({ name: `port ${spec.port}`, verdict: 'warning', detail: `cannot tell whether it is free (no \`ss\` command), for ${spec.service}`, fix: 'sudo apt-get install -y iproute2', blocksMainJob: false });
    } else {
      const holder = sockets.find((s) => s.port === spec.port);
      const verdict = portVerdict(spec, holder, spec.ours);
      if (holder !== undefined && verdict.verdict !== 'ok') notOurs.set(spec.service, verdict);
      results.push(verdict);
    }
  }
  // Only what is looked for on this checkout's own ports: KAFKA_BROKERS or a database URL elsewhere is the user's choice.
  const kafkaNotOurs = setting('KAFKA_BROKERS') === undefined ? notOurs.get('Kafka') : undefined;
  const database = databaseUrl !== undefined && URL.canParse(databaseUrl) ? new URL(databaseUrl) : null;
  const postgresNotOurs = database !== null && ['127.0.0.1', 'localhost', '[::1]'].includes(database.hostname)
    && (database.port === '' ? 5432 : Number(database.port)) === port('SERVICES_PG_PORT') ? notOurs.get('PostgreSQL') : undefined;

  results.push(coinbaseVerdict(coinbaseUrl, coinbase));
  const expectedTopics = planTopics(topicNames(setting('KAFKA_TOPIC_PREFIX') ?? ''), { partitions: 1, replicationFactor: 1, retentionMs: 1, maxFrameBytes: 1 }).map((p) => p.name);
  results.push(kafkaNotOurs === undefined ? topicsVerdict(brokers, expectedTopics, topics) : notOursVerdict('Kafka topics', 'Kafka', kafkaNotOurs));
  const migrations = readMigrations().map((m) => m.version);
  results.push(databaseUrl === undefined
    ? { name: 'migrations', verdict: 'warning', detail: 'no MIGRATION_DATABASE_URL or DATABASE_URL: no database to look at', fix: 'make services-up (writes them to .services.env), then make migrate', blocksMainJob: false }
    : postgresNotOurs !== undefined ? notOursVerdict('migrations', 'PostgreSQL', postgresNotOurs)
    : migrationsVerdict(schema, migrations, server === null ? { error: 'no database' } : 'error' in server ? { error: server.error } : server.migrations));
  return results;
}

/** The settings `make services-up` wrote to `.services.env` (none when it has not run). */
export function readServicesEnvFile(projectRoot: string): Record<string, string> {
  const file = `${projectRoot}.services.env`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  return Object.fromEntries(text.split('\n').flatMap((line) => {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    return match?.[1] === undefined || match[2] === undefined ? [] : [[match[1], match[2]] as const];
  }));
}
