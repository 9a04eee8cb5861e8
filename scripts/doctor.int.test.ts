import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { readMigrations } from '../db/runMigrations.js';
import { createKafka } from '../kafka/createKafka.js';
import { ensureTopics } from '../kafka/ensureTopics.js';
import { planTopics } from '../kafka/planTopics.js';
import { freePortPair } from '../testing/kafka/DedicatedKafka.js';
import { PROJECT_ROOT, readServicesEnv } from '../testing/services/localServices.js';
import { waitFor } from '../testing/waitFor.js';
import { topicNames } from '../wire/topics.js';
import { readServicesEnvFile, runDoctor } from './doctor/runDoctor.js';
import { COINBASE_UNREACHABLE_FIX, formatReport, type CheckResult } from './doctor/verdicts.js';

const run = promisify(execFile);
const services = inject('services');
const silent = pino({ level: 'silent' });

const listening = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
  socket.on('error', () => { resolve(false); });
});

/** The doctor's report on the test's services, with `env` over them. */
async function doctor(env: Record<string, string>): Promise<CheckResult[]> {
  const local = services.origin === 'local' ? readServicesEnv() : {};
  return runDoctor(PROJECT_ROOT, {
    ...local, KAFKA_BROKERS: services.kafkaBrokers.join(','), MIGRATION_DATABASE_URL: services.migrationDatabaseUrl, ...env,
  });
}

const check = (results: readonly CheckResult[], name: string): CheckResult => {
  const found = results.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no check ${name} in ${results.map((r) => r.name).join(', ')}`);
  return found;
};

describe('make doctor against the running services', () => {
  let foreignPort: number;
  let foreign: ChildProcess;
  let http: Server;
  let wss: WebSocketServer;
  const prefix = `doctor-${Date.now()}.`;
  const schema = `doctor_${Date.now()}`;

  beforeAll(async () => {
    foreignPort = await freePortPair();
    foreign = spawn('node', ['-e', `require('node:net').createServer().listen(${foreignPort}, '127.0.0.1')`], { stdio: 'ignore' });
    await waitFor('the foreign program to listen', () => listening(foreignPort));
    http = createServer((_, response) => { response.writeHead(404).end(); });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.on('listening', resolve));
  });

  afterAll(async () => {
    foreign.kill('SIGTERM');
    http.close();
    wss.close();
    const admin = createKafka('doctor-test', services.kafkaBrokers, silent).admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('says in plain words that Coinbase is unreachable, at the step that failed, with the way to run offline', async () => {
    const dns = check(await doctor({ COINBASE_WS_URL: 'wss://coinbase.invalid' }), 'Coinbase');
    expect(dns).toMatchObject({ verdict: 'missing', fix: COINBASE_UNREACHABLE_FIX, blocksMainJob: true });
    expect(dns.detail).toMatch(/^unreachable: DNS lookup of coinbase\.invalid failed \((ENOTFOUND|EAI_AGAIN)\); `make producer` needs it$/);
    const closed = await freePortPair();
    expect(check(await doctor({ COINBASE_WS_URL: `wss://127.0.0.1:${closed}` }), 'Coinbase').detail)
      .toBe(`unreachable: TLS connection to 127.0.0.1:${closed} failed (ECONNREFUSED); \`make producer\` needs it`);
    const notWebSocket = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    expect(check(await doctor({ COINBASE_WS_URL: notWebSocket }), 'Coinbase').detail)
      .toBe('unreachable: WebSocket handshake failed (Unexpected server response: 404); `make producer` needs it');
    const webSocket = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    expect(check(await doctor({ COINBASE_WS_URL: webSocket }), 'Coinbase'))
      .toEqual({ name: 'Coinbase', verdict: 'ok', detail: `${webSocket}: DNS, TLS and WebSocket handshake ok`, blocksMainJob: false });
  });

  it('accepts the ports this checkout\'s services hold, and names another program holding one with the way to move', async () => {
    const results = await doctor({ SERVICES_PROMETHEUS_PORT: String(foreignPort), COINBASE_WS_URL: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` });
    expect(check(results, `port ${foreignPort}`)).toEqual({
      name: `port ${foreignPort}`, verdict: 'missing', detail: `Prometheus needs it, but node (pid ${foreign.pid}) holds it`,
      fix: `stop that program, or choose another port: SERVICES_PROMETHEUS_PORT=<free port> make services-up`, blocksMainJob: true,
    });
    if (services.origin === 'local') {
      // The local services: the doctor recognises them by their command lines, whatever their pid.
      const env = readServicesEnvFile(PROJECT_ROOT);
      const kafkaPid = readFileSync(`${PROJECT_ROOT}.services/kafka/kafka.pid`, 'utf8').trim();
      const pgPid = readFileSync(`${PROJECT_ROOT}.services/postgres/data/postmaster.pid`, 'utf8').split('\n')[0];
      expect(check(results, `port ${env['SERVICES_KAFKA_PORT'] ?? ''}`).detail).toBe(`in use by Kafka from this checkout (java, pid ${kafkaPid})`);
      expect(check(results, `port ${Number(env['SERVICES_KAFKA_PORT']) + 1}`).detail).toBe(`in use by Kafka's controller from this checkout (java, pid ${kafkaPid})`);
      expect(check(results, `port ${env['SERVICES_PG_PORT'] ?? ''}`).detail).toBe(`in use by PostgreSQL from this checkout (postgres, pid ${pgPid ?? ''})`);
    }
    expect(formatReport(results).exitCode, 'a service port held by another program stops the main job').toBe(1);
  });

  it('reports missing topics and migrations as warnings with their make target, and ok once they are there', async () => {
    const names = planTopics(topicNames(prefix), { partitions: 1, replicationFactor: 1, retentionMs: 3_600_000, maxFrameBytes: 1 << 20 });
    const before = await doctor({ KAFKA_TOPIC_PREFIX: prefix, DATABASE_SCHEMA: schema });
    expect(check(before, 'Kafka topics')).toEqual({
      name: 'Kafka topics', verdict: 'warning', detail: `${names.length} of ${names.length} missing on ${services.kafkaBrokers.join(',')}: ${names.map((p) => p.name).join(', ')}`,
      fix: 'make topics (make producer and make engine run it first)', blocksMainJob: false,
    });
    const versions = readMigrations().map((m) => m.version);
    expect(check(before, 'migrations')).toEqual({
      name: 'migrations', verdict: 'warning', detail: `${versions.length} of ${versions.length} not applied in schema ${schema}: ${versions.join(', ')}`,
      fix: 'make migrate (make engine runs it first)', blocksMainJob: false,
    });

    const admin = createKafka('doctor-test', services.kafkaBrokers, silent).admin();
    await admin.connect();
    await ensureTopics(admin, names, silent);
    await admin.disconnect();
    expect(check(await doctor({ KAFKA_TOPIC_PREFIX: prefix }), 'Kafka topics'))
      .toMatchObject({ verdict: 'ok', detail: `all ${names.length} present on ${services.kafkaBrokers.join(',')}` });
  });

  it('as `make doctor` runs it: one line per check, the fix under each problem, and exit status 1 when the main job cannot run', async () => {
    const env = { ...process.env, COINBASE_WS_URL: 'wss://coinbase.invalid', KAFKA_BROKERS: services.kafkaBrokers.join(','), MIGRATION_DATABASE_URL: services.migrationDatabaseUrl };
    const result = await run('node', [`${PROJECT_ROOT}dist/scripts/doctor.js`], { env }).then(
      ({ stdout }) => ({ code: 0, stdout }), (error: unknown) => ({ code: (error as { code: number }).code, stdout: (error as { stdout: string }).stdout }));
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('missing  Coinbase'))).toMatch(/DNS lookup of coinbase\.invalid failed/);
    expect(lines).toContain('The main job (make services-up producer) cannot run: fix Coinbase (marked missing above).');
    expect(lines.filter((l) => /^(ok|warning|missing) /.test(l)).map((l) => l.split(/\s+/)[1]))
      .toEqual(expect.arrayContaining(['Node.js', 'Java', 'Maven', 'PostgreSQL', 'TimescaleDB', 'Prometheus', 'Alertmanager', 'Docker', 'Coinbase', 'Kafka', 'migrations']));
  });
});
