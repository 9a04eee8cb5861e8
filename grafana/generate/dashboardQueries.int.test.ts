import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard, Panel } from '@grafana/schema';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadProgramConfig } from '../../config/loadProgramConfig.js';
import { createKafka } from '../../kafka/createKafka.js';
import { alertRules } from '../../metrics/alerts/alertRules.js';
import { CoinbaseProtocolServer } from '../../simulator/CoinbaseProtocolServer.js';
import { createTestSchema, type TestSchema } from '../../testing/db/createTestSchema.js';
import { engineEnvironment } from '../../testing/engine/engineEnvironment.js';
import { grafanaSql, type GrafanaQueryContext } from '../../testing/grafana/grafanaSql.js';
import { waitForFirstScrape } from '../../testing/metrics/waitForFirstScrape.js';
import { ProgramProcess } from '../../testing/process/ProgramProcess.js';
import { createTestTopics } from '../../testing/producer/startTestProducer.js';
import { waitFor } from '../../testing/waitFor.js';
import { dashboards } from './dashboards.js';

/**
 * Grafana cannot run here, so this runs what Grafana would send: every PromQL expression of the dashboards
 * and alert rules against the real Prometheus after it has scraped a real producer (fed by the local
 * Coinbase-protocol server) and a real engine; and every SQL query (variables, panels, annotations) with
 * Grafana's macros expanded, as the read-only Grafana role, against the engine's output and a replay run.
 */

/** Grafana's `$__rate_interval` for the datasource's 5 s scrape interval on short ranges: 4 × 5 s. */
const RATE_INTERVAL = '20s';

/** The columns each SQL query must return, by dashboard, panel title (or variable/annotation) and refId. */
const EXPECTED_COLUMNS: Record<string, readonly string[]> = {
  'variable run': ['__value', '__text'],
  'variable compare_run': ['__value', '__text'],
  'variable strategy': ['strategy'],
  'variable params': ['params'],
  'variable product': ['product_id'],
  'variable interval': ['interval_s'],
  'variable window': ['window_bars'],
  'annotation Signals': ['time', 'text', 'tags'],
  'Cumulative return A': ['cumulative_return'],
  'Sharpe ratio A': ['sharpe'],
  'Sortino ratio A': ['sortino'],
  'Max drawdown A': ['max_drawdown'],
  'Win rate A': ['win_rate'],
  'Trades A': ['trade_count'],
  'Equity: $run and $compare_run A': ['time', 'metric', 'equity'],
  'Price (bar close) and signals A': ['time', 'close'],
  'Bar returns A': ['time', 'return'],
  'Position: $run and $compare_run A': ['time', 'metric', 'position'],
  'Rolling Sharpe and Sortino ($window bars) A': ['time', 'sharpe', 'sortino'],
  'Drawdown A': ['time', 'max drawdown since the start'],
  'Drawdown B': ['time', 'max drawdown over the window'],
  'Signals per interval A': ['time', 'metric', 'signals'],
  'Equity, hourly A': ['time', 'metric', 'equity'],
  'Run comparison A': ['run', 'kind', 'label', 'status', 'last bar', 'bars', 'equity', 'cumulative_return', 'sharpe', 'sortino', 'max_drawdown', 'win_rate', 'trades'],
  'Trade log A': ['time', 'seq', 'side', 'quantity', 'price', 'fee', 'realized_pnl', 'position_after', 'signal_time', 'liquidation'],
};

const all = dashboards();
const byUid = (uid: string): Dashboard => {
  const found = Object.values(all).find((d) => d.uid === uid);
  if (found === undefined) throw new Error(`no dashboard ${uid}`);
  return found;
};
const panelsOf = (d: Dashboard) => (d.panels ?? []).filter((p): p is Panel => p.type !== 'row');

interface PromResult { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string }

async function promQuery(url: string, expr: string, time?: string): Promise<PromResult> {
  const at = time === undefined ? '' : `&time=${time}`;
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
  return await response.json() as PromResult;
}

describe('every dashboard and alert query, against real services', () => {
  const services = inject('services');
  const kafka = createKafka('dashboards-test', services.kafkaBrokers, pino({ level: 'silent' }));
  const startedAt = new Date();
  let server: CoinbaseProtocolServer;
  let producer: ProgramProcess;
  let engine: ProgramProcess;
  let schema: TestSchema;
  let reader: Sql;
  let targetsFile: string | null = null;
  let market: NodeJS.Timeout | undefined;
  let engineEnv: Record<string, string>;

  beforeAll(async () => {
    const { prefix } = await createTestTopics(kafka, 3);
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    reader = postgres(services.readerDatabaseUrl ?? services.migrationDatabaseUrl, {
      max: 1, onnotice: () => undefined, connection: { search_path: schema.schema },
    });
    server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade' });
    producer = new ProgramProcess('producer/main.js', {
      KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, COINBASE_WS_URL: server.url,
      COINBASE_PRODUCT_IDS: 'BTC-USD,ETH-USD', COINBASE_RECONNECT_BASE_MS: '50', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0',
    });
    engineEnv = (await engineEnvironment(services, {
      schema: schema.schema, prefix, group: `dashboards-${randomUUID().slice(0, 8)}`,
      extra: {
        ENGINE_INTERVALS: '1s', ENGINE_ALLOWED_LATENESS_MS: '300', ENGINE_STAT_WINDOWS: '5,1440',
        STRATEGY_MODULE: 'sma_cross', STRATEGY_PARAMS: '{"fast":2,"slow":4}',
      },
    })).env;
    engine = new ProgramProcess('engine/main.js', engineEnv);
    const [producerPort, enginePort] = (await Promise.all([producer.metricsPort(), engine.metricsPort()])).map(String);
    // The jobs the dashboards select (job=~"producer|engine"), in the run's own Prometheus (see
    // startTestPrometheus), plus a label naming this file's processes for the wait below.
    const testRun = `dashboards-${randomUUID().slice(0, 8)}`;
    if (services.prometheusTargetsDir !== null) {
      targetsFile = join(services.prometheusTargetsDir, `${testRun}.json`);
      writeFileSync(targetsFile, JSON.stringify([
        { targets: [`127.0.0.1:${producerPort}`], labels: { job: 'producer', test_run: testRun } },
        { targets: [`127.0.0.1:${enginePort}`], labels: { job: 'engine', test_run: testRun } },
      ]));
      // The faults below must come after Prometheus's first sample of each counter, or increase() sees 0.
      await waitForFirstScrape(services.prometheusUrl, { test_run: testRun }, 2);
    }
    await server.subscribed(1);

    // A market whose prices swing, so that the moving averages cross; it runs until the checks are done.
    let tick = 0;
    market = setInterval(() => {
      tick++;
      const wave = Math.sin((2 * Math.PI * tick) / 60);
      server.trade('BTC-USD', 2, (100 + 5 * wave).toFixed(2));
      server.trade('ETH-USD', 1, (50 - 2 * wave).toFixed(2));
    }, 100);

    // What the health panels show when things go wrong: a frame that is not JSON (dead-lettered), frames
    // lost in transit (a sequence gap), a trade behind the watermark (late), and a dropped connection.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    server.current?.sendRaw('{"channel":"market_trades",');
    server.current?.loseNextFrames(2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const late = new Date(Date.now() - 20_000).toISOString().replace('Z', '000Z');
    server.current?.sendEnvelope('market_trades', [{
      type: 'update', trades: [{ trade_id: '42', product_id: 'BTC-USD', price: '100.00', size: '0.01', side: 'BUY', time: late }],
    }]);
    server.current?.drop();
    await server.subscribed(2);

    await waitFor('signals, fills and rolling statistics of the live engine', async () => {
      const [row] = await schema.sql<{ signals: number; trades: number; rolling: number }[]>`
        SELECT (SELECT count(*)::int FROM signals WHERE run_id = 'live') AS signals,
               (SELECT count(*)::int FROM trades WHERE run_id = 'live') AS trades,
               (SELECT count(*)::int FROM strategy_metrics WHERE run_id = 'live' AND window_bars = 5 AND sharpe <> 'NaN') AS rolling`;
      return row !== undefined && row.signals >= 3 && row.trades >= 2 && row.rolling >= 3;
    }, 90_000);

    // A replay of the same range: the run the strategy dashboard compares with the live one.
    const replay = new ProgramProcess('replay/main.js', engineEnv, [
      '--from', startedAt.toISOString(), '--to', new Date().toISOString(), '--label', 'dashboards test',
    ]);
    expect(await replay.exited, replay.stderr.join('\n')).toBe(0);
  }, 180_000);

  afterAll(async () => {
    clearInterval(market);
    if (targetsFile !== null) rmSync(targetsFile, { force: true });
    producer.signal('SIGTERM');
    engine.signal('SIGTERM');
    await Promise.all([producer.exited, engine.exited]);
    await server.close();
    await reader.end();
    await schema.drop();
  });

  it('PromQL: every expression of the pipeline dashboard and every alert returns series from the scraped programs', async () => {
    if (services.prometheusTargetsDir === null) {
      throw new Error('this test needs a Prometheus whose scrape targets it controls (local services or testcontainers)');
    }
    const t = loadProgramConfig('alerts', {});
    const expressions = [
      ...panelsOf(byUid('pipeline-health')).flatMap((p) => (p.targets ?? []).map((q) => ({ where: `${p.title ?? ''} ${String(q['refId'])}`, expr: String(q['expr']) }))),
      ...alertRules(t).map((r) => ({ where: `alert ${r.alert}`, expr: r.query })),
    ].map(({ where, expr }) => ({ where, expr: expr.replaceAll('$__rate_interval', RATE_INTERVAL) }));
    expect(expressions.length).toBe(50);

    let failed: string[] = [];
    let empty: string[] = [];
    await waitFor('every expression to return series', async () => {
      const results = await Promise.all(expressions.map(async (e) => ({ ...e, result: await promQuery(services.prometheusUrl, e.expr) })));
      failed = results.filter((r) => r.result.status !== 'success').map((r) => `${r.where}: ${r.result.error ?? ''}`);
      empty = results.filter((r) => (r.result.data?.result.length ?? 0) === 0).map((r) => `${r.where}: ${r.expr}`);
      return failed.length === 0 && empty.length === 0;
    }, 60_000).catch(() => undefined);
    expect(failed, 'expressions Prometheus refuses').toEqual([]);
    expect(empty, 'expressions without series').toEqual([]);
  });

  it('PromQL: each alert fires exactly when its condition holds for what it measures; this run caused two', async () => {
    const time = String(Date.now() / 1000);
    const compare = { '>': (a: number, b: number) => a > b, '<': (a: number, b: number) => a < b, '==': (a: number, b: number) => a === b };
    const firing: string[] = [];
    for (const rule of alertRules(loadProgramConfig('alerts', {}))) {
      const [measured, fired] = await Promise.all([promQuery(services.prometheusUrl, rule.query, time), promQuery(services.prometheusUrl, rule.expr, time)]);
      expect([measured.status, fired.status], rule.alert).toEqual(['success', 'success']);
      const [op = '', threshold = ''] = rule.condition.split(' ');
      const holds = (measured.data?.result ?? []).filter((s) => compare[op as '>'](Number(s.value[1]), Number(threshold)));
      expect(fired.data?.result.length, `${rule.alert}: ${rule.expr}`).toBe(holds.length);
      if (holds.length > 0) firing.push(rule.alert);
    }
    expect(firing, 'a dead-lettered frame and lost frames').toEqual(expect.arrayContaining(['DeadLetters', 'SequenceGaps']));
    expect(firing, 'the feed is live').not.toContain('FeedStale');
    expect(firing).not.toContain('ProducerDisconnected');
    expect(firing).not.toContain('EngineConsumerLag');
  });

  it('SQL: every variable, panel and annotation query, as Grafana expands it, returns rows with the columns its panel reads', async () => {
    const d = byUid('strategy-performance');
    const context = (variables: Record<string, string>): GrafanaQueryContext => ({
      from: new Date(startedAt.getTime() - 60_000), to: new Date(Date.now() + 60_000), intervalMs: 1000, timescaledb: true, variables,
    });
    const run = async (text: string, variables: Record<string, string>) => await reader.unsafe(grafanaSql(text, context(variables)));
    const results: Record<string, { columns: string[]; rows: number }> = {};

    // Variables resolve in order, each taking its first value, as Grafana does on load.
    const variables: Record<string, string> = {};
    for (const v of d.templating?.list ?? []) {
      const rows = await run(typeof v.query === 'string' ? v.query : '', variables);
      results[`variable ${v.name}`] = { columns: rows.columns.map((c) => c.name), rows: rows.length };
      const first = rows[0] as Record<string, unknown> | undefined;
      variables[v.name] = String(first?.['__value'] ?? Object.values(first ?? {})[0]);
    }
    const replayRunId = (await reader<{ run_id: string }[]>`SELECT run_id FROM strategy_runs WHERE kind = 'replay'`).map((r) => r.run_id);
    expect(variables, 'the live run first, compared with the replay').toEqual({
      run: 'live', compare_run: replayRunId[0], strategy: 'sma_cross', params: expect.any(String) as string,
      product: 'BTC-USD', interval: '1', window: '5',
    });

    for (const a of d.annotations?.list ?? []) {
      const rawSql = (a.target as { rawSql?: string } | undefined)?.rawSql;
      if (rawSql === undefined) continue;
      const rows = await run(rawSql, variables);
      results[`annotation ${a.name}`] = { columns: rows.columns.map((c) => c.name), rows: rows.length };
    }
    const TIMESTAMPTZ = 1184;
    for (const p of panelsOf(d)) {
      for (const target of p.targets ?? []) {
        const key = `${p.title ?? ''} ${String(target['refId'])}`;
        const rows = await run(String(target['rawSql']), variables);
        results[key] = { columns: rows.columns.map((c) => c.name), rows: rows.length };
        if (target['format'] === 'time_series') {
          // Grafana reads a time series from a timestamp column named time, in ascending order.
          expect(rows.columns[0]?.type, `${key}: time is a timestamptz`).toBe(TIMESTAMPTZ);
          const times = rows.map((r) => (r['time'] as Date).getTime());
          expect(times, `${key}: ascending time`).toEqual([...times].sort((a, b) => a - b));
        }
      }
    }

    expect(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.columns]))).toEqual(EXPECTED_COLUMNS);
    expect(Object.entries(results).filter(([, r]) => r.rows === 0).map(([k]) => k), 'queries without rows').toEqual([]);
    expect(results['Run comparison A']?.rows, 'the live run and the replay, side by side').toBe(2);
    if (services.readerDatabaseUrl !== null) {
      const [who] = await reader<{ user: string }[]>`SELECT current_user AS user`;
      expect(who?.user, 'the queries ran as the read-only Grafana role').toBe('grafana_reader');
    }
  });
});
