import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { waitFor } from '../testing/waitFor.js';
import { topicNames } from '../wire/topics.js';

/**
 * `make demo` as a newcomer runs it (minus make): the demo program against the real services, with its own
 * namespace, 20 minutes of simulated history played at 40× so that bars and signals come within seconds.
 */
describe('the demo (node dist/demo/main.js)', () => {
  const services = inject('services');
  const ns = `demo_it_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const targetsDir = services.prometheusTargetsDir ?? mkdtempSync(join(tmpdir(), 'demo-targets-'));
  const sql = postgres(services.databaseUrl, { max: 1, onnotice: () => undefined, connection: { search_path: ns } });

  afterAll(async () => {
    await sql.end();
    const owner = postgres(services.migrationDatabaseUrl, { max: 1, onnotice: () => undefined });
    await owner`DROP SCHEMA IF EXISTS ${owner(ns)} CASCADE`;
    await owner.end();
    const admin = createKafka('demo-test', services.kafkaBrokers, pino({ level: 'silent' })).admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const ours = Object.values(topicNames(`${ns}.`)).filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
    await admin.disconnect();
  });

  it('fills the tables and /metrics from a simulated Coinbase, reconnects, is scraped, and stops in order on SIGINT with exit 0', async () => {
    const demo = new ProgramProcess('demo/main.js', {
      KAFKA_BROKERS: services.kafkaBrokers.join(','), DATABASE_URL: services.databaseUrl, MIGRATION_DATABASE_URL: services.migrationDatabaseUrl,
    }, ['--namespace', ns, '--history-minutes', '20', '--speed', '40', '--producer-metrics-port', '0', '--engine-metrics-port', '0',
      '--prometheus-targets', targetsDir, '--status-every', '5']);
    const output = () => demo.stdout.join('\n');
    try {
      let pids: number[] = [];
      let ports: number[] = [];
      await waitFor('the producer and the engine to start', () => {
        pids = [...output().matchAll(/\] (?:producer|engine) +pid (\d+), metrics http:\/\/127\.0\.0\.1:(\d+)\/metrics/g)].map((m) => Number(m[1]));
        ports = [...output().matchAll(/\] (?:producer|engine) +pid \d+, metrics http:\/\/127\.0\.0\.1:(\d+)\/metrics/g)].map((m) => Number(m[1]));
        return pids.length === 2;
      }, 45_000);
      const [producerPort, enginePort] = ports;
      expect(existsSync(join(targetsDir, `demo-${ns}.json`)), 'the Prometheus target file').toBe(true);

      const metrics = async (port: number | undefined) => await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const total = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name)).reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
      // The gap marker follows the reconnect once the new connection's subscription is answered: wait for both.
      await waitFor('bars, signals and strategy_metrics rows in the demo schema, and a reconnect with its gap marker', async () => {
        const [row] = await sql<{ bars: number; signals: number; metrics: number }[]>`
          SELECT (SELECT count(*) FROM bars)::int AS bars, (SELECT count(*) FROM signals)::int AS signals,
                 (SELECT count(*) FROM strategy_metrics)::int AS metrics`.catch(() => [undefined]);
        const text = await metrics(producerPort);
        const reconnected = total(text, 'producer_ws_reconnects_total') >= 1 && total(text, 'producer_gap_markers_published_total') > 0;
        return (row?.bars ?? 0) > 0 && (row?.signals ?? 0) > 0 && (row?.metrics ?? 0) > 0 && reconnected;
      }, 75_000);
      const producerText = await metrics(producerPort);
      expect(total(producerText, 'producer_trades_published_total')).toBeGreaterThan(0);
      expect(total(producerText, 'producer_gap_markers_published_total'), 'gap markers after the reconnect').toBeGreaterThan(0);
      expect(total(await metrics(enginePort), 'engine_bars_closed_total')).toBeGreaterThan(0);
      if (services.prometheusTargetsDir !== null) {
        await waitFor('Prometheus to scrape the demo\'s producer and engine', async () => {
          const response = await fetch(`${services.prometheusUrl}/api/v1/query?query=${encodeURIComponent(`sum(up{demo="${ns}"})`)}`);
          const body = await response.json() as { data?: { result?: { value: [number, string] }[] } };
          return body.data?.result?.[0]?.value[1] === '2';
        }, 20_000);
      }

      demo.signal('SIGINT');
      expect(await demo.exited, output() + demo.stderr.join('\n')).toBe(0);
      expect(output()).toMatch(/producer stopped \(exit 0\)[\s\S]*engine stopped \(exit 0\)[\s\S]*simulated Coinbase stopped[\s\S]*summary/);
      expect(output()).toMatch(/exit statuses: producer 0, engine 0/);
      for (const pid of pids) expect(() => process.kill(pid, 0), `process ${pid} is gone`).toThrow();
      expect(existsSync(join(targetsDir, `demo-${ns}.json`)), 'the Prometheus target file is removed').toBe(false);
    } finally {
      // On a failure, still let the demo stop its children (it is their only owner), then make sure.
      demo.signal('SIGTERM');
      await Promise.race([demo.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      demo.signal('SIGKILL');
    }
  }, 150_000);
});
