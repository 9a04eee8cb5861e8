import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from './runDoctor.js';
import { runsScript } from './runsScript.js';
import {
  COINBASE_UNREACHABLE_FIX, coinbaseVerdict, formatReport, javaVerdict, mavenVerdict, migrationsVerdict, nodeVerdict, packageMissing,
  notOursVerdict, parseListeners, portVerdict, timescaleVerdict, topicsVerdict, type CheckResult, type PortSpec,
} from './verdicts.js';

const user = { rootWithApt: false };
const root = { rootWithApt: true };

describe('doctor verdicts', () => {
  it('compares Node.js with package.json\'s engines range', () => {
    expect(nodeVerdict('v20.19.0', '>=20.19')).toMatchObject({ verdict: 'ok' });
    expect(nodeVerdict('v22.1.0', '>=20.19')).toMatchObject({ verdict: 'ok' });
    expect(nodeVerdict('v20.18.3', '>=20.19')).toEqual({
      name: 'Node.js', verdict: 'missing', detail: 'v20.18.3 is older than package.json\'s >=20.19',
      fix: 'install Node.js >=20.19 (e.g. from https://nodejs.org or NodeSource\'s apt repository)', blocksMainJob: true,
    });
    expect(nodeVerdict('v20.20.2', '^20').verdict, 'a range it cannot read is a warning, not a failure').toBe('warning');
  });

  it('wants Java 17 or newer, and says when make services-up installs a package by itself', () => {
    expect(javaVerdict('openjdk version "17.0.15" 2025-04-15', user)).toMatchObject({ verdict: 'ok', detail: 'Java 17 (Kafka\'s broker needs 17 or newer)' });
    expect(javaVerdict('openjdk version "21" 2023-09-19', user).verdict).toBe('ok');
    expect(javaVerdict('java version "1.8.0_382"', user)).toMatchObject({ verdict: 'missing', blocksMainJob: true });
    expect(javaVerdict(null, user)).toEqual({
      name: 'Java', verdict: 'missing', detail: 'no `java` command', fix: 'sudo apt-get install -y --no-install-recommends default-jre-headless', blocksMainJob: true,
    });
    expect(javaVerdict(null, root)).toMatchObject({ verdict: 'warning', blocksMainJob: false, detail: 'no `java` command; `make services-up` installs it (you are root)' });
    expect(packageMissing('Prometheus', 'no `prometheus` command', 'prometheus', user).fix).toBe('sudo apt-get install -y --no-install-recommends prometheus');
  });

  it('needs Maven only until Kafka\'s jars are cached', () => {
    expect(mavenVerdict('Apache Maven 3.8.7', false, user).verdict).toBe('ok');
    expect(mavenVerdict(null, true, user)).toMatchObject({ verdict: 'warning', blocksMainJob: false });
    expect(mavenVerdict(null, false, user)).toMatchObject({ verdict: 'missing', blocksMainJob: true });
  });

  it('reports TimescaleDB as the server sees it, and never blocks the main job', () => {
    const server = { serverVersion: '16.4', created: null, available: '2.19.3', preloaded: true };
    expect(timescaleVerdict([], { ...server, created: '2.19.3' }, 'postgresql.conf')).toMatchObject({ verdict: 'ok', detail: 'TimescaleDB 2.19.3 in use (PostgreSQL 16.4)' });
    expect(timescaleVerdict([], server, 'postgresql.conf')).toMatchObject({ verdict: 'ok', detail: 'TimescaleDB 2.19.3 installed and preloaded: `make migrate` creates hypertables' });
    const notPreloaded = timescaleVerdict(['16'], { ...server, preloaded: false }, '/x/.services/postgres/data/postgresql.conf');
    expect(notPreloaded).toMatchObject({ verdict: 'warning', blocksMainJob: false, detail: 'TimescaleDB 2.19.3 is installed but not in shared_preload_libraries: the migrations create plain tables' });
    expect(notPreloaded.fix).toContain('add shared_preload_libraries = \'timescaledb\' to /x/.services/postgres/data/postgresql.conf');
    expect(timescaleVerdict([], { ...server, available: null }, 'postgresql.conf')).toMatchObject({ verdict: 'warning', blocksMainJob: false });
    expect(timescaleVerdict(['15'], null, 'postgresql.conf')).toMatchObject({ verdict: 'warning', detail: 'installed for PostgreSQL 15; whether it is preloaded is known once PostgreSQL runs' });
  });

  it('reads listening ports and their processes from ss', () => {
    const ss = [
      'LISTEN 0      244             127.0.0.1:15432      0.0.0.0:*    users:(("postgres",pid=8429,fd=5))',
      'LISTEN 0      128               0.0.0.0:2024       0.0.0.0:*',
      'LISTEN 0      50     [::ffff:127.0.0.1]:19092            *:*    users:(("java",pid=7988,fd=104))',
      'LISTEN 0      4096                 [::]:9464             [::]:*    users:(("node",pid=12,fd=3),("node",pid=13,fd=3))',
    ].join('\n');
    expect(parseListeners(`State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n${ss}`)).toEqual([
      { port: 15432, process: { name: 'postgres', pid: 8429 } },
      { port: 2024, process: null },
      { port: 19092, process: { name: 'java', pid: 7988 } },
      { port: 9464, process: { name: 'node', pid: 12 } },
    ]);
  });

  it('accepts a port that is free or held by the service of this checkout, and names any other holder with the way to move', () => {
    const kafka: PortSpec = { service: 'Kafka', port: 19092, variable: 'SERVICES_KAFKA_PORT', command: 'make services-up', blocksMainJob: true };
    const ours = (pid: number) => pid === 7988;
    expect(portVerdict(kafka, undefined, ours)).toEqual({ name: 'port 19092', verdict: 'ok', detail: 'free, for Kafka', blocksMainJob: false });
    expect(portVerdict(kafka, { port: 19092, process: { name: 'java', pid: 7988 } }, ours))
      .toEqual({ name: 'port 19092', verdict: 'ok', detail: 'in use by Kafka from this checkout (java, pid 7988)', blocksMainJob: false });
    expect(portVerdict(kafka, { port: 19092, process: { name: 'python3', pid: 4242 } }, ours)).toEqual({
      name: 'port 19092', verdict: 'missing', detail: 'Kafka needs it, but python3 (pid 4242) holds it',
      fix: 'stop that program, or choose another port: SERVICES_KAFKA_PORT=<free port> make services-up', blocksMainJob: true,
    });
    expect(portVerdict(kafka, { port: 19092, process: { name: 'docker-proxy', pid: 99 } }, ours).detail)
      .toBe('Kafka needs it, but docker-proxy (pid 99) holds it (a Docker container: the docker-compose stack? `make down` stops it)');
    expect(portVerdict(kafka, { port: 19092, process: null }, ours).detail)
      .toBe('Kafka needs it, but a program ss cannot name (run make doctor as root to see which) holds it');
  });

  it('names another checkout\'s producer on the metrics port as a program in the way, not as this checkout\'s', () => {
    const metrics: PortSpec = { service: 'the producer\'s /metrics', port: 9464, variable: 'METRICS_PORT', command: 'make producer', blocksMainJob: true };
    const processes = new Map([[12, { argv: ['node', 'dist/producer/main.js'], cwd: '/home/bob/crypto' }], [13, { argv: ['node', 'dist/producer/main.js'], cwd: '/home/ana/crypto' }]]);
    const ours = (pid: number) => runsScript(processes.get(pid)?.argv ?? [], processes.get(pid)?.cwd ?? null, ['/home/ana/crypto/dist/producer/main.js']);
    expect(portVerdict(metrics, { port: 9464, process: { name: 'node', pid: 12 } }, ours)).toEqual({
      name: 'port 9464', verdict: 'missing', detail: 'the producer\'s /metrics needs it, but node (pid 12) holds it',
      fix: 'stop that program, or choose another port: METRICS_PORT=<free port> make producer', blocksMainJob: true,
    });
    expect(portVerdict(metrics, { port: 9464, process: { name: 'node', pid: 13 } }, ours).detail).toBe('in use by the producer\'s /metrics from this checkout (node, pid 13)');
  });

  it('says Coinbase is unreachable in plain words, at the step that failed, and points to make demo', () => {
    expect(coinbaseVerdict('wss://advanced-trade-ws.coinbase.com', { reached: 'websocket' }).verdict).toBe('ok');
    expect(coinbaseVerdict('wss://advanced-trade-ws.coinbase.com', { reached: 'none', failedAt: 'dns', reason: 'ENOTFOUND' })).toEqual({
      name: 'Coinbase', verdict: 'missing',
      detail: 'unreachable: DNS lookup of advanced-trade-ws.coinbase.com failed (ENOTFOUND); `make producer` needs it',
      fix: COINBASE_UNREACHABLE_FIX, blocksMainJob: true,
    });
    expect(coinbaseVerdict('wss://ws-feed.exchange.coinbase.com', { reached: 'none', failedAt: 'tls', reason: 'ECONNREFUSED' }).detail)
      .toBe('unreachable: TLS connection to ws-feed.exchange.coinbase.com failed (ECONNREFUSED); `make producer` needs it');
    expect(COINBASE_UNREACHABLE_FIX).toContain('run `make demo`');
  });

  it('leaves missing topics and pending migrations to the targets that create them (warnings)', () => {
    expect(topicsVerdict('127.0.0.1:19092', ['a', 'b'], { topics: ['b', 'a', 'other'] }).verdict).toBe('ok');
    expect(topicsVerdict('127.0.0.1:19092', ['a', 'b'], { topics: ['a'] })).toMatchObject({ verdict: 'warning', detail: '1 of 2 missing on 127.0.0.1:19092: b', fix: 'make topics (make producer and make engine run it first)' });
    expect(topicsVerdict('127.0.0.1:19092', ['a'], { error: 'ECONNREFUSED' })).toMatchObject({ verdict: 'warning', fix: 'make services-up (or set KAFKA_BROKERS to your broker)' });
    expect(migrationsVerdict('public', ['0001', '0002'], { applied: ['0001', '0002'] }).verdict).toBe('ok');
    expect(migrationsVerdict('public', ['0001', '0002'], { applied: ['0001'] })).toMatchObject({ verdict: 'warning', detail: '1 of 2 not applied in schema public: 0002', fix: 'make migrate (make engine runs it first)' });
  });

  it('does not report on the topics of a Kafka (or the migrations of a PostgreSQL) that is not this checkout\'s, naming why', () => {
    const kafka: PortSpec = { service: 'Kafka', port: 19092, variable: 'SERVICES_KAFKA_PORT', command: 'make services-up', blocksMainJob: true };
    const anotherCheckouts = portVerdict(kafka, { port: 19092, process: { name: 'java', pid: 4242 } }, () => false);
    expect(notOursVerdict('Kafka topics', 'Kafka', anotherCheckouts)).toEqual({
      name: 'Kafka topics', verdict: 'warning',
      detail: 'not checked: port 19092 is not held by this checkout\'s Kafka (Kafka needs it, but java (pid 4242) holds it); what answers there is another instance\'s',
      fix: 'free port 19092 or choose another port (see port 19092 above), then make doctor again', blocksMainJob: false,
    });
  });

  it('exits 1 exactly when a check the main job needs is missing', () => {
    const line = (verdict: CheckResult['verdict'], blocksMainJob: boolean): CheckResult => ({ name: 'x', verdict, detail: 'd', blocksMainJob, ...(verdict === 'ok' ? {} : { fix: 'f' }) });
    expect(formatReport([line('ok', false), line('warning', false), line('missing', false)]).exitCode).toBe(0);
    const blocked = formatReport([line('ok', false), { ...line('missing', true), name: 'Coinbase' }]);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.text.split('\n')).toEqual([
      'ok       x         d', 'missing  Coinbase  d', '                   fix: f', '',
      'The main job (make services-up producer) cannot run: fix Coinbase (marked missing above).',
    ]);
  });

  it('knows the same default ports as services/services.sh', () => {
    const script = readFileSync(new URL('../../services/services.sh', import.meta.url), 'utf8');
    const defaultOf = (name: string) => Number(new RegExp(`^DEFAULT_${name}=(\\d+)$`, 'm').exec(script)?.[1]);
    expect([DEFAULT_PORTS.SERVICES_KAFKA_PORT, DEFAULT_PORTS.SERVICES_PG_PORT, DEFAULT_PORTS.SERVICES_PROMETHEUS_PORT])
      .toEqual([defaultOf('KAFKA_PORT'), defaultOf('PG_PORT'), defaultOf('PROM_PORT')]);
  });
});
