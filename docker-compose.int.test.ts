import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './testing/services/localServices.js';
import { waitFor } from './testing/waitFor.js';

/**
 * What can be proven of the docker-compose stack without a Docker daemon: Compose accepts the file and
 * refuses it without the secrets; Prometheus accepts its configuration; the Alertmanager configuration
 * Compose renders is valid, has its routing tree and timings, and delivers an alert to the webhook of ALERT_WEBHOOK_URL.
 */
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'compose-test-'));
const SECRETS = {
  POSTGRES_PASSWORD: 'postgres-secret-1', MIGRATION_DB_PASSWORD: 'owner-secret-12', ENGINE_DB_PASSWORD: 'writer-secret-1',
  GRAFANA_DB_PASSWORD: 'reader-secret-1', GRAFANA_ADMIN_PASSWORD: 'admin-secret-12',
};

/** `docker compose`, or the Compose binary `make tools` builds when Docker has none. */
async function composeCommand(): Promise<string[] | null> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', 'compose'];
  } catch {
    const built = join(PROJECT_ROOT, '.tools/bin/docker-compose');
    return existsSync(built) ? [built] : null;
  }
}

async function composeConfig(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = await composeCommand();
  if (command === null) throw new Error('Docker Compose is missing: run `make tools` (builds it with Go) or install Docker Compose');
  const envFile = join(work, 'compose.env');
  writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'));
  const [file = '', ...args] = command;
  try {
    const { stdout, stderr } = await run(file, [...args, '--env-file', envFile, '-f', join(PROJECT_ROOT, 'docker-compose.yml'), 'config', '--format', 'json'],
      { env: { PATH: process.env['PATH'] ?? '', HOME: work } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the docker-compose stack, without Docker', () => {
  afterAll(() => {
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  });

  it('runs with the .env `make up` writes: Compose accepts it, and Alertmanager without a webhook keeps the alerts to itself', async () => {
    const envFile = join(work, 'generated.env');
    await run('bash', [join(PROJECT_ROOT, 'scripts/compose-env.sh'), envFile]);
    const generated = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const rendered = await composeConfig(generated);
    expect(rendered.code, rendered.stderr).toBe(0);
    const config = JSON.parse(rendered.stdout) as { services: Record<string, { environment?: Record<string, string> }>; configs: { alertmanager: { content: string } } };
    expect(config.services['engine']?.environment?.['DATABASE_URL']).toBe(`postgres://engine_writer:${generated['ENGINE_DB_PASSWORD'] ?? ''}@timescaledb:5432/strategy_engine`);
    const content = config.configs.alertmanager.content;
    expect((parse(content) as { receivers: { name: string; webhook_configs: unknown }[] }).receivers).toEqual([{ name: 'webhook', webhook_configs: null }]);
    const file = join(work, 'alertmanager-no-webhook.yml');
    writeFileSync(file, content);
    expect((await run('amtool', ['check-config', file])).stdout).toContain('SUCCESS');
  });

  it('`docker compose config` accepts docker-compose.yml with the secrets set, and names a missing one', async () => {
    const ok = await composeConfig({ ...SECRETS, ALERT_WEBHOOK_URL: 'https://hooks.example.com/alerts' });
    expect(ok.code, ok.stderr).toBe(0);
    const config = JSON.parse(ok.stdout) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(config.services['engine']?.environment?.['DATABASE_URL']).toBe('postgres://engine_writer:writer-secret-1@timescaledb:5432/strategy_engine');
    expect(config.services['engine']?.environment?.['STRATEGY_MODULE']).toBe('sma_cross');
    const missing = await composeConfig({ ...SECRETS, GRAFANA_ADMIN_PASSWORD: '', ALERT_WEBHOOK_URL: 'https://hooks.example.com/alerts' });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('set GRAFANA_ADMIN_PASSWORD in .env');
  });

  it('Prometheus accepts its configuration and the alert rules it loads', async () => {
    const { stdout } = await run('promtool', ['check', 'config', 'prometheus/prometheus.yml'], { cwd: PROJECT_ROOT });
    expect(stdout).toContain('SUCCESS: prometheus/prometheus.yml is valid prometheus config file syntax');
    expect(stdout).toContain('SUCCESS: 10 rules found');
  });

  it('Alertmanager accepts the configuration Compose renders, with a critical route, and delivers to the webhook', async () => {
    const received: { receiver: string; status: string; groupLabels: Record<string, string>; alerts: { labels: Record<string, string> }[] }[] = [];
    const sink = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        response.end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${String((sink.address() as AddressInfo).port)}/hook`;

    const rendered = await composeConfig({ ...SECRETS, ALERT_WEBHOOK_URL: hook });
    const content = (JSON.parse(rendered.stdout) as { configs: { alertmanager: { content: string } } }).configs.alertmanager.content;
    const file = join(work, 'alertmanager.yml');
    writeFileSync(file, content);
    expect((await run('amtool', ['check-config', file])).stdout).toContain('SUCCESS');
    const routes = await run('amtool', ['config', 'routes', 'show', `--config.file=${file}`]);
    expect(routes.stdout.trim().split('\n').map((l) => l.trimEnd())).toEqual([
      'Routing tree:', '.', '└── default-route  receiver: webhook', '    └── {severity="critical"}  receiver: webhook',
    ]);
    const policy = (parse(content) as { route: { group_wait: string; repeat_interval: string; routes: { group_wait: string; repeat_interval: string }[] } }).route;
    expect([policy.group_wait, policy.repeat_interval, policy.routes[0]?.group_wait, policy.routes[0]?.repeat_interval], 'critical alerts sooner and more often')
      .toEqual(['30s', '4h', '10s', '1h']);

    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => { resolve(p); });
      });
    });
    const alertmanager = spawn('prometheus-alertmanager', [
      `--config.file=${file}`, `--storage.path=${join(work, 'am-data')}`, `--web.listen-address=127.0.0.1:${String(port)}`, '--cluster.listen-address=',
    ], { stdio: 'ignore' });
    try {
      const api = `http://127.0.0.1:${String(port)}`;
      await waitFor('Alertmanager to be ready', async () => (await fetch(`${api}/-/ready`).catch(() => null))?.ok === true);
      const loaded = (await (await fetch(`${api}/api/v2/status`)).json() as { config: { original: string } }).config.original;
      expect(loaded, 'the webhook sends resolved alerts too (Alertmanager\'s default for webhooks)').toMatch(/webhook_configs:\n\s+- send_resolved: true\n/);
      const alert = { alertname: 'DrawdownBeyondLimit', severity: 'critical', strategy: 'sma_cross', params: 'fast=10,slow=30', product: 'BTC-USD', interval: '1m' };
      const posted = await fetch(`${api}/api/v2/alerts`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels: alert, annotations: { summary: 'drawdown -25%' } }]),
      });
      expect(posted.status).toBe(200);
      await waitFor('the webhook to receive the alert (critical: grouped for 10 s)', () => received.length > 0, 30_000);
      expect(received[0]).toMatchObject({
        receiver: 'webhook', status: 'firing',
        groupLabels: { alertname: 'DrawdownBeyondLimit', strategy: 'sma_cross', params: 'fast=10,slow=30', product: 'BTC-USD', interval: '1m' },
      });
      expect(received[0]?.alerts.map((a) => a.labels)).toEqual([alert]);
    } finally {
      // Alertmanager writes its state into am-data as it stops: wait for its exit before the directory goes.
      const exited = once(alertmanager, 'exit');
      alertmanager.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(10_000, false)]);
      if (!stopped) alertmanager.kill('SIGKILL');
      sink.close();
    }
  });
});
