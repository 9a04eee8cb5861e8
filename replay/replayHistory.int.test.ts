import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import type { CandleEvent } from '../wire/MarketEvent.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';

const T0 = Date.UTC(2026, 10, 20) * 1000;
const MINUTE_US = 60_000_000;

function candle(productId: string, minute: number, [open, high, low, close, volume]: readonly number[]): CandleEvent {
  const startUs = T0 + minute * MINUTE_US;
  return {
    type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: startUs, receivedAtUs: startUs + 2 * MINUTE_US,
    granularityS: 60, open: String(open), high: String(high), low: String(low), close: String(close), volume: String(volume),
  };
}

// Coinbase omits minutes without trades: BTC-USD's minute 2, ETH-USD's minutes 1 and 3.
const BTC = [[0, [100, 102, 99, 101, 2]], [1, [101, 104, 101, 103, 1]], [3, [103, 103, 97, 98, 3]], [4, [98, 99, 96, 97, 1]], [5, [97, 100, 97, 100, 2]]] as const;
const ETH = [[0, [10, 11, 10, 11, 5]], [2, [11, 12, 11, 12, 4]], [4, [12, 12, 9, 9, 1]], [5, [9, 10, 9, 10, 2]]] as const;
/** Σ typical price · volume / Σ volume, summed in time order as the engine does. */
const vwap = (candles: readonly (readonly [number, readonly number[]])[]) => {
  let notional = 0;
  let volume = 0;
  for (const [, [, h, l, c, v]] of candles) {
    notional += ((h! + l! + c!) / 3) * v!;
    volume += v!;
  }
  return notional / volume;
};

async function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { LOG_LEVEL: _level, ...quiet } = env;
  const cli = new ProgramProcess('replay/main.js', quiet, args);
  const code = await cli.exited;
  return { code, stdout: cli.stdout.join('\n'), stderr: cli.stderr.join('\n') };
}

describe('replay --topic history', () => {
  const services = inject('services');
  const kafka = createKafka('replay-history-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let prefix: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // One partition (prices.history included): both products share it, each in event-time order, one after the other as the backfill writes them.
    prefix = (await createTestTopics(kafka, 1)).prefix;
    const history = topicNames(prefix).history;
    await publishEvents(kafka, history, [...BTC.map(([m, c]) => candle('BTC-USD', m, c)), ...ETH.map(([m, c]) => candle('ETH-USD', m, c))]);
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    // No lateness: history is in order per product, so each candle closes its own minute.
    ({ env } = await engineEnvironment(services, { schema: schema.schema, prefix, group: 'unused', extra: { ENGINE_ALLOWED_LATENESS_MS: '0' } }));
  }, 120_000);

  afterAll(async () => {
    await schema.drop();
  });

  it('builds the bars from the candles (omitted minutes empty, not gaps) and records the run with the topic it read', async () => {
    const { code, stdout, stderr } = await runCli(env, ['--topic', 'history', '--label', 'history', '--json']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { runId: string; status: string; topic: string; records: number };
    const topic = `${prefix}prices.history`;
    expect([report.status, report.topic, report.records]).toEqual(['finished', topic, 9]);

    const bars = await schema.sql<{ product_id: string; interval_s: number; minute: number; open: number; high: number; low: number; close: number; volume: number; vwap: number; trade_count: number; complete: boolean }[]>`
      SELECT product_id, interval_s, ((extract(epoch FROM bucket) * 1000000 - ${T0}) / ${MINUTE_US})::int AS minute,
        open, high, low, close, volume, vwap, trade_count, complete
      FROM bars WHERE run_id = ${report.runId} ORDER BY product_id, interval_s, bucket`;
    const row = (b: (typeof bars)[number]) => [b.product_id, b.interval_s, b.minute, b.open, b.high, b.low, b.close, b.volume, b.vwap, b.trade_count, b.complete];
    expect(bars.map(row)).toEqual([
      ['BTC-USD', 60, 0, 100, 102, 99, 101, 2, 302 / 3, 1, false], // the first bar after a start is partial
      ['BTC-USD', 60, 1, 101, 104, 101, 103, 1, 308 / 3, 1, true],
      ['BTC-USD', 60, 2, 103, 103, 103, 103, 0, 103, 0, true], // omitted by Coinbase: the close carried, volume 0
      ['BTC-USD', 60, 3, 103, 103, 97, 98, 3, 298 / 3, 1, true],
      ['BTC-USD', 60, 4, 98, 99, 96, 97, 1, 292 / 3, 1, true],
      ['BTC-USD', 60, 5, 97, 100, 97, 100, 2, 99, 1, true],
      ['BTC-USD', 300, 0, 100, 104, 96, 97, 7, vwap(BTC.slice(0, 4)), 4, false],
      ['ETH-USD', 60, 0, 10, 11, 10, 11, 5, 32 / 3, 1, false],
      ['ETH-USD', 60, 1, 11, 11, 11, 11, 0, 11, 0, true],
      ['ETH-USD', 60, 2, 11, 12, 11, 12, 4, 35 / 3, 1, true],
      ['ETH-USD', 60, 3, 12, 12, 12, 12, 0, 12, 0, true],
      ['ETH-USD', 60, 4, 12, 12, 9, 9, 1, 10, 1, true],
      ['ETH-USD', 60, 5, 9, 10, 9, 10, 2, 29 / 3, 1, true],
      ['ETH-USD', 300, 0, 10, 12, 9, 9, 10, vwap(ETH.slice(0, 3)), 3, false],
    ]);
    // 2 strategies × 2 products × 7 bars (six 1-minute, one 5-minute) × 3 (since the start, windows 10 and 30).
    const [metrics] = await schema.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM strategy_metrics WHERE run_id = ${report.runId}`;
    expect(metrics?.n).toBe(84);

    const [run] = await schema.sql<{ kind: string; label: string; status: string; settings: Record<string, unknown>; offsets: unknown; summary: { records: number } }[]>`
      SELECT kind, label, status, settings, offsets, summary FROM strategy_runs WHERE run_id = ${report.runId}`;
    expect([run?.kind, run?.label, run?.status, run?.summary.records]).toEqual(['replay', 'history', 'finished', 9]);
    expect(run?.offsets).toEqual([{ topic, partition: 0, start: '0', end: '9' }]);
    expect([run?.settings['topic'], run?.settings['eventTime'], run?.settings['ENGINE_INTERVALS']]).toEqual([topic, 'product', '1m,5m']);
    expect(await schema.sql`SELECT * FROM engine_offsets WHERE consumer_group = ${report.runId}`, 'its working checkpoints are gone').toEqual([]);
  });

  it('--record-every 5m writes the bars and statistics rows of bars ending on a multiple of 5 minutes and the last; the results are the full run\'s', async () => {
    type Report = { runId: string; status: string; results: { runId: string }[] };
    const full = await runCli(env, ['--topic', 'history', '--label', 'every bar', '--json']);
    const sampled = await runCli(env, ['--topic', 'history', '--label', 'every 5m', '--record-every', '5m', '--json']);
    expect([full.code, sampled.code], `${full.stderr}\n${sampled.stderr}`).toEqual([0, 0]);
    const [a, b] = [JSON.parse(full.stdout) as Report, JSON.parse(sampled.stdout) as Report];
    expect(b.status).toBe('finished');
    const withoutRun = (r: Report) => r.results.map(({ runId: _run, ...rest }) => rest);
    expect(withoutRun(b), 'the results table: each series\' statistics at its last bar').toEqual(withoutRun(a));
    expect(withoutRun(b), '2 strategies × 2 products × 2 intervals').toHaveLength(8);

    const bars = await schema.sql<{ product_id: string; interval_s: number; minute: number }[]>`
      SELECT product_id, interval_s, ((extract(epoch FROM bucket) * 1000000 - ${T0}) / ${MINUTE_US})::int AS minute
      FROM bars WHERE run_id = ${b.runId} ORDER BY product_id, interval_s, bucket`;
    // T0 is midnight UTC: the 1-minute bar of minute 4 ends at 00:05, on the grid; minute 5's is each product's
    // last; the 5-minute bar of minute 0 ends at 00:05.
    expect(bars.map((r) => [r.product_id, r.interval_s, r.minute])).toEqual([
      ['BTC-USD', 60, 4], ['BTC-USD', 60, 5], ['BTC-USD', 300, 0], ['ETH-USD', 60, 4], ['ETH-USD', 60, 5], ['ETH-USD', 300, 0],
    ]);
    // Each row written equals the full run's row of that bar (rows of 3 bars × 2 strategies × 2 products × 3 statistics).
    const metrics = (runId: string) => schema.sql`
      SELECT strategy_id, params_key, product_id, interval_s, window_bars, time, equity, position, bar_return, cumulative_return, sharpe,
        sortino, max_drawdown, trade_count, win_rate, bars
      FROM strategy_metrics WHERE run_id = ${runId} ORDER BY strategy_id, params_key, product_id, interval_s, window_bars, time`;
    const everyBar = await metrics(a.runId);
    const written = await metrics(b.runId);
    expect(written).toHaveLength(36);
    expect(written).toEqual(everyBar.filter((r) => written.some((w) => JSON.stringify({ ...w }) === JSON.stringify({ ...r }))));
    const [run] = await schema.sql<{ settings: Record<string, unknown> }[]>`SELECT settings FROM strategy_runs WHERE run_id = ${b.runId}`;
    expect(run?.settings['recordEvery']).toBe('5m');
  });

  it('refuses --record-every that is not a multiple of every bar interval (exit 64), recording nothing', async () => {
    const { code, stdout, stderr } = await runCli(env, ['--topic', 'history', '--record-every', '90s', '--label', 'every 90s']);
    expect([code, stdout]).toEqual([64, '']);
    expect(stderr).toContain('--record-every: 90s is not a multiple of every ENGINE_INTERVALS interval (1m,5m)');
    expect(await schema.sql`SELECT run_id FROM strategy_runs WHERE label = 'every 90s'`).toEqual([]);
  });

  it('fails with a clear message, and marks the run failed, when the bars are finer than the candles', async () => {
    const { code, stdout, stderr } = await runCli({ ...env, ENGINE_INTERVALS: '30s,1m' }, ['--topic', 'history']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const error = 'BTC-USD: nothing in the range builds its bars (5 candles skipped: a 1m candle cannot build 30s bars); '
      + 'set ENGINE_INTERVALS to multiples of the candles\' granularity (60 s), or backfill finer candles or its trades; '
      + 'ETH-USD: nothing in the range builds its bars (4 candles skipped: a 1m candle cannot build 30s bars); '
      + 'set ENGINE_INTERVALS to multiples of the candles\' granularity (60 s), or backfill finer candles or its trades';
    expect(stderr).toContain(`replay: ${error}`);
    const runs = await schema.sql<{ status: string; summary: { error: string } }[]>`
      SELECT status, summary FROM strategy_runs WHERE settings->>'ENGINE_INTERVALS' = '30s,1m'`;
    expect(runs.map((r) => [r.status, r.summary.error])).toEqual([['failed', error]]);
  });

  it('over a range holding no record of a selected product says so; with none of them, records no run and exits 66', async () => {
    // Offsets 0..4 are BTC-USD's five candles; ETH-USD's follow.
    const topic = `${prefix}prices.history`;
    const noEth = `replay: no record of ETH-USD in the range (${topic} offsets 0:0..5): no results for it`;
    const ethOnly = await runCli(env, ['--topic', 'history', '--to', '0:5', '--products', 'ETH-USD', '--label', 'no ETH']);
    expect(ethOnly.code, ethOnly.stderr).toBe(66);
    expect(ethOnly.stdout).toBe('');
    expect(ethOnly.stderr.split('\n').filter((l) => l !== '')).toEqual([
      noEth, 'replay: the range holds no record of the selected products: nothing replayed, no run recorded',
    ]);
    expect(await schema.sql`SELECT run_id FROM strategy_runs WHERE label = 'no ETH'`, 'no run recorded').toEqual([]);

    const both = await runCli(env, ['--topic', 'history', '--to', '0:5', '--products', 'BTC-USD,ETH-USD', '--label', 'BTC, no ETH']);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr.split('\n').filter((l) => l !== '')).toEqual([noEth]);
    const runs = await schema.sql<{ status: string }[]>`SELECT status FROM strategy_runs WHERE label = 'BTC, no ETH'`;
    expect(runs.map((r) => r.status)).toEqual(['finished']);
  });
});

describe('replay --topic history over several granularities of a product', () => {
  const services = inject('services');
  const kafka = createKafka('replay-history-granularities-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { prefix } = await createTestTopics(kafka, 1);
    const history = topicNames(prefix).history;
    // As `backfill --candles 1m,1h` writes them: BTC-USD's 1-minute stream, then its 1-hour stream.
    const hourly: CandleEvent = { ...candle('BTC-USD', 0, [100, 104, 96, 100, 9]), granularityS: 3600, receivedAtUs: T0 + 62 * MINUTE_US };
    await publishEvents(kafka, history, [...BTC.map(([m, c]) => candle('BTC-USD', m, c)), hourly]);
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    ({ env } = await engineEnvironment(services, { schema: schema.schema, prefix, group: 'unused', extra: { ENGINE_ALLOWED_LATENESS_MS: '0', ENGINE_INTERVALS: '1m' } }));
  }, 120_000);

  afterAll(async () => {
    await schema.drop();
  });

  it('builds the bars from the granularity that can, skips (and reports) the coarser candles', async () => {
    const { code, stdout, stderr } = await runCli(env, ['--topic', 'history', '--json']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('replay: skipped 1 candles of BTC-USD: a 1h candle cannot build 1m bars (its bars are built from its other data)');
    const report = JSON.parse(stdout) as { runId: string; status: string; records: number; skippedCandles: unknown };
    expect([report.status, report.records, report.skippedCandles]).toEqual(['finished', 6, [
      { productId: 'BTC-USD', granularityS: 3600, problem: 'a 1h candle cannot build 1m bars', count: 1, otherData: true },
    ]]);
    const bars = await schema.sql<{ minute: number; close: number; volume: number }[]>`
      SELECT ((extract(epoch FROM bucket) * 1000000 - ${T0}) / ${MINUTE_US})::int AS minute, close, volume
      FROM bars WHERE run_id = ${report.runId} ORDER BY bucket`;
    // The 1-minute candles' bars, exactly as without the hourly candle (the first test's BTC-USD rows).
    expect(bars.map((b) => [b.minute, b.close, b.volume])).toEqual([[0, 101, 2], [1, 103, 1], [2, 103, 0], [3, 98, 3], [4, 97, 1], [5, 100, 2]]);
  });
});
