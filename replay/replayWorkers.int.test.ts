import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/createKafka.js';
import type { CandleEvent } from '../wire/MarketEvent.js';
import { topicNames } from '../wire/topics.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { readResultTables, type ResultTables, type Row } from '../testing/engine/resultTables.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

const T0 = Date.UTC(2026, 0, 1) * 1000;
const MINUTE_US = 60_000_000;
const PRODUCTS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD', 'XRP-USD', 'DOGE-USD', 'LTC-USD', 'DOT-USD', 'AVAX-USD'];
/** Per product: enough records that each partition is read in many fetches (kafkajs takes 1 MB a partition at a time). */
const MINUTES = 8000;

/** Product p's candles on a deterministic random walk. */
function candles(p: number): CandleEvent[] {
  let seed = p + 7;
  const next = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  let price = 100 + p;
  return Array.from({ length: MINUTES }, (_, m) => {
    const open = price;
    price = open * (1 + (next() - 0.5) * 0.004);
    const startUs = T0 + m * MINUTE_US;
    return {
      type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId: PRODUCTS[p] as string, exchangeTimeUs: startUs, receivedAtUs: startUs + MINUTE_US,
      granularityS: 60, open: open.toFixed(2), high: (Math.max(open, price) * 1.0005).toFixed(2), low: (Math.min(open, price) * 0.9995).toFixed(2),
      close: price.toFixed(2), volume: (next() * 5 + 0.01).toFixed(4),
    };
  });
}

async function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { LOG_LEVEL: _level, ...quiet } = env;
  const cli = new ProgramProcess('replay/main.js', quiet, args);
  const code = await cli.exited;
  return { code, stdout: cli.stdout.join('\n'), stderr: cli.stderr.join('\n') };
}

/** The rows of one run, without their run id. */
function rowsOf(tables: ResultTables, runId: string): Record<keyof ResultTables, Row[]> {
  const pick = (rows: Row[]) => rows.filter((r) => r['run_id'] === runId).map(({ run_id: _run, ...rest }) => rest);
  return { bars: pick(tables.bars), signals: pick(tables.signals), trades: pick(tables.trades), strategy_metrics: pick(tables.strategy_metrics) };
}

describe('replay on several engine threads (--workers)', () => {
  const services = inject('services');
  const kafka = createKafka('replay-workers-test', services.kafkaBrokers, pino({ level: 'silent' }));
  let schema: TestSchema;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Three partitions, prices.history's included.
    const { prefix } = await createTestTopics(kafka, 3);
    const history = topicNames(prefix).history;
    // As the backfill writes history: each product in event-time order, products one after the other.
    await publishEvents(kafka, history, PRODUCTS.flatMap((_, p) => candles(p)));
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
    ({ env } = await engineEnvironment(services, { schema: schema.schema, prefix, group: 'unused', extra: { ENGINE_ALLOWED_LATENESS_MS: '0' } }));
  }, 120_000);

  afterAll(async () => {
    await schema.drop();
  });

  it('gives the same rows on one thread and on three, and the same results table', async () => {
    type Report = { runId: string; status: string; records: number; workers: number; results: Row[] };
    const one = await runCli(env, ['--topic', 'history', '--record-every', '1h', '--workers', '1', '--json']);
    const three = await runCli(env, ['--topic', 'history', '--record-every', '1h', '--workers', '3', '--json']);
    expect([one.code, three.code], `${one.stderr}\n${three.stderr}`).toEqual([0, 0]);
    const [a, b] = [JSON.parse(one.stdout) as Report, JSON.parse(three.stdout) as Report];
    expect([a.workers, b.workers, a.status, b.status]).toEqual([1, 3, 'finished', 'finished']);
    expect([a.records, b.records]).toEqual([PRODUCTS.length * MINUTES, PRODUCTS.length * MINUTES]);
    const withoutRun = (r: Report) => r.results.map(({ runId: _run, ...rest }) => rest);
    expect(withoutRun(b)).toEqual(withoutRun(a));
    expect(withoutRun(a), '2 strategies × 9 products × 2 intervals').toHaveLength(36);
    const tables = await readResultTables(schema.sql);
    const [rowsA, rowsB] = [rowsOf(tables, a.runId), rowsOf(tables, b.runId)];
    // 8 000 minutes: bars ending on the hour (133 of 1m and of 5m) and each series' last, per product.
    expect(rowsA.bars).toHaveLength(PRODUCTS.length * 2 * 134);
    expect(rowsA.signals.length).toBeGreaterThan(100);
    for (const table of ['bars', 'signals', 'trades', 'strategy_metrics'] as const) expect(rowsB[table], table).toEqual(rowsA[table]);
  }, 120_000);

  it('on Ctrl-C every thread commits what it read; the run is interrupted, its working state and groups are gone', async () => {
    const { LOG_LEVEL: _level, ...quiet } = env;
    // Every bar's rows: slow enough to be interrupted midway.
    const cli = new ProgramProcess('replay/main.js', quiet, ['--topic', 'history', '--workers', '3', '--json']);
    await waitFor('a worker\'s first checkpoint', async () => (await schema.sql`SELECT 1 FROM engine_offsets WHERE consumer_group LIKE 'replay-%-w_'`).length > 0);
    cli.signal('SIGINT');
    expect(await cli.exited, cli.stderr.join('\n')).toBe(2);
    const report = JSON.parse(cli.stdout.join('\n')) as { runId: string; status: string; records: number; workers: number };
    // Each thread stopped between two pieces of a fetch, in time to leave its group (which is then deleted).
    expect(cli.stderr.filter((l) => l.includes('leave timeout') || l.includes('could not delete')), 'warnings').toEqual([]);
    expect([report.status, report.workers]).toEqual(['interrupted', 3]);
    expect(report.records).toBeGreaterThan(0);
    expect(report.records).toBeLessThan(PRODUCTS.length * MINUTES);
    const [run] = await schema.sql<{ status: string; summary: { records: number } }[]>`SELECT status, summary FROM strategy_runs WHERE run_id = ${report.runId}`;
    expect([run?.status, run?.summary.records]).toEqual(['interrupted', report.records]);
    // What was read is committed: a 1-minute bar of each candle read (lateness 0 closes each at once).
    const [bars] = await schema.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM bars WHERE run_id = ${report.runId} AND interval_s = 60`;
    expect(bars?.n).toBe(report.records);
    expect(await schema.sql`SELECT consumer_group FROM engine_offsets WHERE consumer_group LIKE ${`${report.runId}%`}`).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    await admin.disconnect();
    expect(groups.filter((g) => g.startsWith(report.runId))).toEqual([]);
  }, 120_000);
});
