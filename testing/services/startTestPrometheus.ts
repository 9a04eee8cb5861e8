import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from './localServices.js';

/** A free loopback port (the kernel's choice; released just before Prometheus binds it). */
async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { if (typeof address === 'object' && address !== null) resolve(address.port); else reject(new Error('no port')); });
    });
  });
}

/**
 * A Prometheus of the test run's own: a temporary directory, a free loopback port, the project's alert rules
 * (`prometheus/alerts.yml`, as the user's Prometheus loads them) and one file_sd job for the processes the
 * tests start. The tests never read the user's Prometheus (whose series include the user's producer, engine
 * and `make demo`), and the user's alert rules never see the tests' producers and their injected faults.
 */
export async function startTestPrometheus(): Promise<{ url: string; targetsDir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'test-prometheus-'));
  const targetsDir = join(dir, 'targets');
  mkdirSync(targetsDir);
  copyFileSync(join(PROJECT_ROOT, 'prometheus/alerts.yml'), join(dir, 'alerts.yml'));
  writeFileSync(join(dir, 'prometheus.yml'), [
    '# written by testing/services/startTestPrometheus.ts for one integration run',
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    `rule_files: ['${join(dir, 'alerts.yml')}']`,
    'scrape_configs:',
    '  - job_name: tests',
    `    file_sd_configs: [{ files: ['${join(targetsDir, '*.json')}'], refresh_interval: 1s }]`,
  ].join('\n'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = join(dir, 'prometheus.log');
  const out = openSync(log, 'a');
  const child = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((resolve) => { child.on('close', () => { resolve(); }); });
  const spawnFailure: { error: Error | null } = { error: null };
  child.on('error', (error) => { spawnFailure.error = error; });
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (spawnFailure.error !== null || child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return { url, targetsDir, stop };
    await sleep(100);
  }
  const detail = spawnFailure.error === null ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : String(spawnFailure.error);
  if (child.exitCode === null && spawnFailure.error === null) await stop(); else rmSync(dir, { recursive: true, force: true });
  throw new Error(`the tests' own Prometheus did not start (needs the prometheus command: apt-get install prometheus):\n${detail}`);
}
