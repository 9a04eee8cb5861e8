import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { freePortPair } from '../testing/kafka/DedicatedKafka.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';
import { waitFor } from '../testing/waitFor.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/**
 * The test's environment without the port settings a user may have exported (`SERVICES_KAFKA_PORT=… make test`,
 * as the README suggests when a port is taken): each call here states the settings it means.
 */
const withoutPortSettings = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SERVICES_')));

/** services.sh of checkout `root` with arguments and extra environment: its exit status and report (stderr). */
async function services(root: string, env: Record<string, string>, ...args: string[]): Promise<{ ok: boolean; report: string }> {
  try {
    const { stderr } = await run('bash', [join(root, 'services/services.sh'), ...args], { cwd: root, env: { ...withoutPortSettings, ...env }, maxBuffer: 16 << 20 });
    return { ok: true, report: stderr };
  } catch (error) {
    return { ok: false, report: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

const listening = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
  socket.on('error', () => { resolve(false); });
});

describe('services.sh and a busy port', () => {
  let port: number;
  let holder: ChildProcess;

  beforeAll(async () => {
    port = await freePortPair();
    holder = spawn('node', ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
    await waitFor('the holder to listen', () => listening(port));
  });

  afterAll(() => {
    holder.kill('SIGTERM');
  });

  it('names the process that holds it and how to choose another port, instead of "make services-down"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'services-busy-'));
    try {
      const up = await services(PROJECT_ROOT, {}, 'kafka-up', '--dir', dir, '--port', String(port));
      expect(up).toEqual({
        ok: false,
        report: `[services] error: port ${port} (Kafka) is in use by node (pid ${holder.pid}). Stop it, or choose another port: `
          + 'SERVICES_KAFKA_PORT=<port> make services-up (kept in .services.env for later runs)\n',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a port setting that is not a port', async () => {
    expect(await services(PROJECT_ROOT, { SERVICES_PG_PORT: '5432x' }, 'status'))
      .toEqual({ ok: false, report: '[services] error: SERVICES_PG_PORT must be a port number from 1024 to 65534, not \'5432x\'\n' });
  });
});

/**
 * A whole `services.sh up` on ports of its own, from a copy of the checkout that (as root) only root can
 * enter, as in root's home directory: the services' users (nobody, postgres, prometheus) cannot read it, so
 * the state must live where they can. About 30 s.
 */
describe('services.sh up on other ports, from a checkout only root can enter', () => {
  const parent = mkdtempSync(join(tmpdir(), 'services-private-'));
  const root = join(parent, 'checkout');
  const ports = { SERVICES_KAFKA_PORT: '', SERVICES_PG_PORT: '', SERVICES_PROMETHEUS_PORT: '' };
  let up: { ok: boolean; report: string };
  let busyUp: { ok: boolean; report: string; kafkaListening: boolean; holder: number | undefined };

  beforeAll(async () => {
    ports.SERVICES_KAFKA_PORT = String(await freePortPair());
    ports.SERVICES_PG_PORT = String(await freePortPair());
    ports.SERVICES_PROMETHEUS_PORT = String(await freePortPair());
    for (const path of ['services/services.sh', 'services/kafka', 'db/roles.sql', 'prometheus/alerts.yml']) {
      cpSync(join(PROJECT_ROOT, path), join(root, path), { recursive: true });
    }
    // Kafka's jars, when this checkout has them, spare a fetch; a .services directory left in the checkout is
    // what an earlier failed attempt leaves, and must be moved where the services' users can reach it.
    const cache = join(PROJECT_ROOT, '.services/cache');
    if (existsSync(cache)) cpSync(cache, join(root, '.services/cache'), { recursive: true });
    else mkdirSync(join(root, '.services'), { recursive: true });
    await run('chmod', ['700', parent]);
    // First with Prometheus's port held: refused before anything starts.
    const holder = spawn('node', ['-e', `require('node:net').createServer().listen(${ports.SERVICES_PROMETHEUS_PORT}, '127.0.0.1')`], { stdio: 'ignore' });
    try {
      await waitFor('the holder to listen', () => listening(Number(ports.SERVICES_PROMETHEUS_PORT)));
      busyUp = { ...await services(root, ports, 'up'), kafkaListening: await listening(Number(ports.SERVICES_KAFKA_PORT)), holder: holder.pid };
    } finally {
      holder.kill('SIGTERM');
    }
    await waitFor('the holder to stop', async () => !(await listening(Number(ports.SERVICES_PROMETHEUS_PORT))));
    up = await services(root, ports, 'up');
  }, 240_000);

  afterAll(async () => {
    await services(root, {}, 'down');
    const state = lstatSync(join(root, '.services'), { throwIfNoEntry: false });
    if (state?.isSymbolicLink() === true) rmSync(readlinkSync(join(root, '.services')), { recursive: true, force: true });
    rmSync(parent, { recursive: true, force: true });
  }, 60_000);

  it('with a port busy, starts nothing and names every busy port at once', () => {
    expect(busyUp.ok).toBe(false);
    expect(busyUp.report.split('\n').at(-2)).toBe(`[services] error: nothing started: port ${ports.SERVICES_PROMETHEUS_PORT} (Prometheus) is in use by node (pid ${busyUp.holder}). `
      + 'Stop them, or choose other ports: SERVICES_PROMETHEUS_PORT=<port> make services-up (kept in .services.env for later runs)');
    expect(busyUp.kafkaListening, 'Kafka was not started').toBe(false);
  });

  it('starts every service on the ports asked for, and writes them to .services.env for later runs', async () => {
    expect(up.ok, up.report).toBe(true);
    expect(up.report).toContain(`[services] Kafka 3.9.1 ready on 127.0.0.1:${ports.SERVICES_KAFKA_PORT}\n`);
    expect(up.report).toContain(`[services] PostgreSQL ready on 127.0.0.1:${ports.SERVICES_PG_PORT} (database strategy_engine)\n`);
    expect(up.report).toContain(`[services] Prometheus ready on 127.0.0.1:${ports.SERVICES_PROMETHEUS_PORT}\n`);
    const env = readFileSync(join(root, '.services.env'), 'utf8');
    expect(env).toContain(`KAFKA_BROKERS=127.0.0.1:${ports.SERVICES_KAFKA_PORT}\n`);
    expect(env).toMatch(new RegExp(`^DATABASE_URL=postgres://engine_writer:[0-9a-f]+@127\\.0\\.0\\.1:${ports.SERVICES_PG_PORT}/strategy_engine$`, 'm'));
    expect(env).toContain(`PROMETHEUS_URL=http://127.0.0.1:${ports.SERVICES_PROMETHEUS_PORT}\n`);
    for (const [name, value] of Object.entries(ports)) expect(env).toContain(`${name}=${value}\n`);

    const admin = createKafka('services-ports-test', [`127.0.0.1:${ports.SERVICES_KAFKA_PORT}`], pino({ level: 'silent' })).admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual([]);
    await admin.disconnect();
    expect((await fetch(`http://127.0.0.1:${ports.SERVICES_PROMETHEUS_PORT}/-/ready`)).ok).toBe(true);

    const again = await services(root, {}, 'up');
    expect(again.report, 'without the variables, the ports of .services.env').toContain(`[services] Kafka already running on 127.0.0.1:${ports.SERVICES_KAFKA_PORT}\n`);
    expect(await services(root, { SERVICES_PG_PORT: String(Number(ports.SERVICES_PG_PORT) + 1) }, 'up')).toMatchObject({
      ok: false, report: expect.stringContaining(`PostgreSQL is already running on another port (${ports.SERVICES_PG_PORT}); to move it to ${Number(ports.SERVICES_PG_PORT) + 1}, run 'make services-down' first`) as unknown,
    });
  });

  it('as root, keeps the state where the services\' users can read it, linked from .services', () => {
    const link = join(root, '.services');
    if (!isRoot) {
      expect(lstatSync(link).isDirectory(), 'not root: every service runs as the invoking user, in .services').toBe(true);
      return;
    }
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toMatch(/^\/var\/lib\/crypto-strategy-engine\/[0-9a-f]{12}$/);
    const pid = readFileSync(join(link, 'kafka/kafka.pid'), 'utf8').trim();
    expect(readFileSync(`/proc/${pid}/status`, 'utf8'), 'Kafka runs as nobody').toMatch(/^Uid:\s+65534\s/m);
  });
});
