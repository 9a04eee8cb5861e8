import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { freePortPair } from '../testing/kafka/DedicatedKafka.js';
import { PROJECT_ROOT, servicesScript } from '../testing/services/localServices.js';
import { waitFor } from '../testing/waitFor.js';

const run = promisify(execFile);

/** services.sh with arguments: its exit status and what it reported (stderr). */
async function services(...args: string[]): Promise<{ ok: boolean; report: string }> {
  try {
    const { stderr } = await run('bash', [`${PROJECT_ROOT}services/services.sh`, ...args], { cwd: PROJECT_ROOT, maxBuffer: 16 << 20 });
    return { ok: true, report: stderr };
  } catch (error) {
    return { ok: false, report: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('services.sh restarting a local Kafka that died', () => {
  const dir = mkdtempSync(join(tmpdir(), 'services-kafka-'));
  let port: number;
  const pid = () => Number(readFileSync(join(dir, 'kafka.pid'), 'utf8'));
  const kill = async () => {
    const dead = pid();
    process.kill(dead, 'SIGKILL');
    await waitFor('the broker to die', () => !alive(dead));
    return dead;
  };

  beforeAll(async () => {
    port = await freePortPair();
    await servicesScript('kafka-up', '--dir', dir, '--port', String(port));
  });

  afterAll(async () => {
    await servicesScript('kafka-down', '--dir', dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts it again and says so, although the dead broker left its pid file', async () => {
    const dead = await kill();
    expect(readFileSync(join(dir, 'kafka.pid'), 'utf8').trim(), 'the dead broker\'s pid file is still there').toBe(String(dead));

    const up = await services('kafka-up', '--dir', dir, '--port', String(port));
    expect(up, up.report).toEqual({ ok: true, report: `[services] Kafka 3.9.1 ready on 127.0.0.1:${port}\n` });
    expect(pid()).not.toBe(dead);
    expect(alive(pid())).toBe(true);
    const admin = createKafka('services-test', [`127.0.0.1:${port}`], pino({ level: 'silent' })).admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual([]);
    await admin.disconnect();
  });

  it('reports a broker that exits while starting, with its log', async () => {
    await kill();
    const meta = join(dir, 'data/meta.properties');
    const original = readFileSync(meta, 'utf8');
    writeFileSync(meta, original.replace(/^node\.id=1$/m, 'node.id=7'));
    try {
      const up = await services('kafka-up', '--dir', dir, '--port', String(port));
      expect(up.ok, up.report).toBe(false);
      expect(up.report, 'the cause, from the broker\'s log').toContain('Stored node id 7 doesn\'t match previous node id 1');
      expect(up.report).toContain(`[services] error: Kafka exited while starting (log: ${dir}/kafka.log)`);
    } finally {
      writeFileSync(meta, original);
    }
  });
});
