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
 * namespace, 20 minutes of simulated history played at 40× so that bars and signals come within seconds, and
 * beside it the bundled sample history imported and backtested.
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

  it('fills the tables and /metrics from a simulated Coinbase, reconnects, is scraped, backtests the sample history, and stops in order on SIGINT with exit 0', async () => {
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

      // The history part, beside the live one: the sample imported, then one replay and a sweep of 6 combinations.
      // Its last words are the sweep's table (a row per combination): wait for them, not for the runs' rows, which
      // come before the sweep has printed and ended.
      await waitFor('the history part to print the sweep\'s table', () => output().match(/^replay-\S+\.\d +sma_cross /gm)?.length === 6, 60_000);
      const runs = await sql<{ label: string; status: string; topic: string; records: number; results: number; signals: number; fills: number }[]>`
        SELECT r.label, r.status, r.settings->>'topic' AS topic, (r.summary->>'records')::int AS records, jsonb_array_length(r.summary->'results') AS results,
          (SELECT count(*) FROM signals s WHERE s.run_id = r.run_id)::int AS signals, (SELECT count(*) FROM trades t WHERE t.run_id = r.run_id)::int AS fills
        FROM strategy_runs r WHERE r.kind = 'replay' ORDER BY r.label`;
      const combination = (fast: number, slow: number) => `demo ${ns} history sweep: allowShort=false,confirmBars=1,fast=${fast},slow=${slow}`;
      const history = `${ns}.prices.history`;
      // The sample and the engine are deterministic (1-minute bars, no lateness): these counts are the sample's.
      expect(runs.map((r) => [r.label, r.status, r.topic, r.records, r.results, r.signals, r.fills]), 'every replay run, all over the 351 imported trades').toEqual([
        [`demo ${ns} history replay`, 'finished', history, 351, 1, 6, 6],
        [`demo ${ns} history sweep`, 'finished', history, 351, 6, 0, 0],
        [combination(3, 10), 'finished', history, 351, 1, 14, 14],
        [combination(3, 20), 'finished', history, 351, 1, 8, 8],
        [combination(3, 30), 'finished', history, 351, 1, 8, 8],
        [combination(5, 10), 'finished', history, 351, 1, 14, 14],
        [combination(5, 20), 'finished', history, 351, 1, 6, 6],
        [combination(5, 30), 'finished', history, 351, 1, 4, 4],
      ]);

      demo.signal('SIGINT');
      expect(await demo.exited, output() + demo.stderr.join('\n')).toBe(0);
      expect(output(), 'the backfill\'s report: every trade of the sample imported').toMatch(/backfill done: \{[^\n]*"events":351,[\s\S]*BTC-USD trade +351 /);
      expect(output()).toMatch(/\] history: sample history: [\s\S]*\] history: backtest: sma_cross [\s\S]*\] history: sweep: sma_cross [\s\S]*summary/);
      expect(output().match(/^replay-\S+ +sma_cross +allowShort=false,confirmBars=1,fast=5,slow=20 +BTC-USD +60 /gm), 'the replay\'s row and its twin in the sweep').toHaveLength(2);
      expect(output().match(/^replay-\S+\.\d +sma_cross /gm), 'the sweep\'s table').toHaveLength(6);
      expect(output()).toMatch(/history: exit statuses: backfill 0, replay 0, sweep 0/);
      expect(demo.stderr.join('\n')).not.toMatch(/history: .* failed/);
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
  }, 210_000);
});
