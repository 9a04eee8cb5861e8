import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { parseDurationUs } from '../config/parseDuration.js';
import { EngineCore } from '../engine/core/EngineCore.js';
import { EngineOutputs } from '../engine/core/outputs.js';
import { PartitionProcessor } from '../engine/core/PartitionProcessor.js';
import { createKafka } from '../kafka/createKafka.js';
import { toKafkaMessage } from '../kafka/toKafkaMessage.js';
import { createTestSchema } from '../testing/db/createTestSchema.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';
import { resolveServices } from '../testing/services/resolveServices.js';
import type { CandleEvent } from '../wire/MarketEvent.js';
import { encodeMarketEvent } from '../wire/marketEventCodec.js';
import { marketEventRecord } from '../wire/marketEventRecord.js';
import { settingsFor } from './engineThroughput.js';

/**
 * `make bench` (history): a backtest over history. `--days` (default 730: two years) of 1-minute candles for
 * `--products` products (default 10: 10 × 730 × 1 440 ≈ 10.5 M candles), as the backfill writes them to
 * prices.history (keyed by product, each product in event-time order, products side by side a day at a
 * time), replayed by the replay CLI (`--topic history`) with sma_cross and statistics over 60 and 1 440 bars,
 * results written to PostgreSQL. Goal: the two years in ≤ 5 minutes on the 2-core machine. Also the
 * in-process core's rate on the same candles (no Kafka, no database), decoded objects and JSON records.
 *
 * For comparison (issue 12): "an SMA-cross backtest of 1.05 M one-minute candles takes 5.75 s in Jesse's step
 * mode" (≈ 183 k candles/s, in-process, results kept in memory). The in-process figure below is the like for
 * like; the replay adds Kafka's decoding, JSON validation and the rows committed to PostgreSQL. Rows are
 * recorded every `--record-every` (default 1h, as a long backtest would run; `bar`: a bar and three statistics
 * rows per candle, 42 M rows for the two years).
 */
const { values: flags } = parseArgs({ options: { days: { type: 'string' }, products: { type: 'string' }, 'record-every': { type: 'string' }, workers: { type: 'string' }, partitions: { type: 'string' }, 'core-only': { type: 'boolean' } } });
const DAYS = Number(flags.days ?? process.env['BENCH_HISTORY_DAYS'] ?? 730);
/** The replay's `--record-every` (default 1h: two years of rows per minute are 42 M rows); `bar`: every bar. */
const RECORD_EVERY = flags['record-every'] ?? process.env['BENCH_HISTORY_RECORD_EVERY'] ?? '1h';
const RECORD_EVERY_US = RECORD_EVERY === 'bar' ? 0 : parseDurationUs(RECORD_EVERY);
if (RECORD_EVERY_US === null) throw new Error(`--record-every: "${RECORD_EVERY}" is not bar or a duration such as 1h`);
/** The replay's `--workers` (default auto: one engine thread per core, at most one per partition). */
const WORKERS = flags.workers ?? process.env['BENCH_HISTORY_WORKERS'] ?? 'auto';
/** prices.history's partitions: as `make topics` creates it (KAFKA_TOPIC_PARTITIONS' default). */
const PARTITIONS = Number(flags.partitions ?? process.env['BENCH_HISTORY_PARTITIONS'] ?? 6);
const PRODUCTS = Number(flags.products ?? process.env['BENCH_HISTORY_PRODUCTS'] ?? 10);
const MINUTES_PER_DAY = 1440;
const MINUTE_US = 60_000_000;
const T0 = Date.UTC(2024, 0, 1) * 1000;
const CANDLES = DAYS * MINUTES_PER_DAY * PRODUCTS;

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

/** One day of 1-minute candles of one product on a random walk (deterministic per product and day). */
function day(product: number, dayIndex: number, price: { value: number }): CandleEvent[] {
  let seed = (product + 1) * 100_003 + dayIndex + 1;
  const next = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  return Array.from({ length: MINUTES_PER_DAY }, (_, m) => {
    const open = price.value;
    const close = open * (1 + (next() - 0.5) * 0.004);
    price.value = close;
    const high = Math.max(open, close) * (1 + next() * 0.001);
    const low = Math.min(open, close) * (1 - next() * 0.001);
    const startUs = T0 + (dayIndex * MINUTES_PER_DAY + m) * MINUTE_US;
    return {
      type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId: `P${product}-USD`, exchangeTimeUs: startUs, receivedAtUs: startUs + 2 * MINUTE_US,
      granularityS: 60, open: open.toFixed(2), high: high.toFixed(2), low: low.toFixed(2), close: close.toFixed(2), volume: (next() * 5 + 0.01).toFixed(4),
    } satisfies CandleEvent;
  });
}

/** The days in the order the topic holds them: every product's day d, then day d + 1 (each product in order). */
function* days(): Generator<CandleEvent[]> {
  const prices = Array.from({ length: PRODUCTS }, (_, p) => ({ value: 100 + p }));
  for (let d = 0; d < DAYS; d++) for (let p = 0; p < PRODUCTS; p++) yield day(p, d, prices[p] as { value: number });
}

const settings = { ...settingsFor(['sma_cross']), allowedLatenessUs: 0, eventTimePerProduct: true, recordEveryUs: RECORD_EVERY_US };

/** (a) The engine's core alone, on decoded candles and on JSON records; only the processing is timed. */
function coreRate(): { candles: number; candlesPerSecond: number; withJsonDecodeCandlesPerSecond: number; bars: number } {
  let decodedNs = 0n;
  let jsonNs = 0n;
  let bars = 0;
  const processor = new PartitionProcessor(settings, 0);
  const core = new EngineCore(settings, 'bench');
  core.assign(0);
  const out = new EngineOutputs();
  let n = 0;
  for (const candles of days()) {
    const records = candles.map((c, i) => ({ partition: 0, offset: String(n + i), value: Buffer.from(encodeMarketEvent(c)), timestampMs: 0 }));
    let t = process.hrtime.bigint();
    for (const c of candles) processor.process(c, '0', out);
    decodedNs += process.hrtime.bigint() - t;
    bars += out.bars.length;
    out.drain();
    t = process.hrtime.bigint();
    for (const r of records) core.process(r, out);
    jsonNs += process.hrtime.bigint() - t;
    out.drain();
    n += candles.length;
    if (n % 1_440_000 === 0) progress(`in-process: ${n} of ${CANDLES} candles`);
  }
  return {
    candles: n, bars, candlesPerSecond: Math.round(n / (Number(decodedNs) / 1e9)), withJsonDecodeCandlesPerSecond: Math.round(n / (Number(jsonNs) / 1e9)),
  };
}

const inProcess = coreRate();
progress('');
console.error(`in-process: ${JSON.stringify(inProcess)}`);

let replay: Record<string, unknown> | null = null;
let setup = `${CANDLES} one-minute candles (${PRODUCTS} products × ${DAYS} days); sma_cross, statistics windows 60,1440, 1-minute bars, lateness 0, event time per product, rows recorded ${RECORD_EVERY_US === 0 ? 'at every bar' : `every ${RECORD_EVERY} (--record-every)`}`;
if (flags['core-only'] !== true) {
  const { services, stop } = await resolveServices(process.env);
  const kafka = createKafka('bench', services.kafkaBrokers, pino({ level: 'warn' }));
  // Every topic `make topics` creates, prices.history included, with PARTITIONS partitions.
  const { prefix, topics } = await createTestTopics(kafka, PARTITIONS);
  const schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const publishStart = performance.now();
  let published = 0;
  const batch: CandleEvent[] = [];
  // 3 000 records (about 0.3 MB a partition) per request: under the broker's 1 MB message limit.
  const flush = async () => {
    const sent = batch.splice(0, 3000);
    await producer.send({ topic: topics.history, messages: sent.map((c) => toKafkaMessage(marketEventRecord(c))), acks: -1, compression: CompressionTypes.None });
    published += sent.length;
    progress(`publishing: ${published} of ${CANDLES} candles`);
  };
  for (const candles of days()) {
    batch.push(...candles);
    while (batch.length >= 3000) await flush();
  }
  if (batch.length > 0) await flush();
  await producer.disconnect();
  const publishSeconds = (performance.now() - publishStart) / 1000;

  progress('replay --topic history');
  const env = {
    KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: services.databaseUrl, DATABASE_SCHEMA: schema.schema,
    ENGINE_INTERVALS: '1m', ENGINE_ALLOWED_LATENESS_MS: '0', ENGINE_STAT_WINDOWS: '60,1440',
  };
  const start = performance.now();
  // To profile the replay: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/replay-profile" (node's own options).
  const nodeArgs = process.env['BENCH_NODE_ARGS']?.split(' ').filter((a) => a !== '') ?? [];
  const cli = new ProgramProcess('replay/main.js', env, ['--topic', 'history', '--strategy', 'sma_cross', '--json', '--workers', WORKERS, ...(RECORD_EVERY_US === 0 ? [] : ['--record-every', RECORD_EVERY])], nodeArgs);
  const code = await cli.exited;
  if (code !== 0) throw new Error(`replay exited with ${code}: ${cli.stderr.join('\n')}`);
  const report = JSON.parse(cli.stdout.join('\n')) as { records: number; seconds: number; workers: number; results: unknown[] };
  const wallSeconds = (performance.now() - start) / 1000;
  const [rows] = await schema.sql<{ bars: number; metrics: number }[]>`
    SELECT (SELECT count(*)::int FROM bars) AS bars, (SELECT count(*)::int FROM strategy_metrics) AS metrics`;
  progress('');
  await schema.drop();
  await stop();
  replay = {
    records: report.records, seconds: report.seconds, wallSeconds, workers: report.workers, instances: report.results.length, candlesPerSecond: Math.round(report.records / report.seconds),
    rowsWritten: { bars: rows?.bars, strategyMetrics: rows?.metrics }, publishSeconds: Number(publishSeconds.toFixed(1)),
    goal: { seconds: 300, forCandles: 10_512_000, projectedSecondsFor10_5M: Math.round((10_512_000 / report.records) * report.seconds), met: (10_512_000 / report.records) * report.seconds <= 300 },
  };
  setup = `${services.origin} Kafka and PostgreSQL; ${setup}; prices.history on ${PARTITIONS} partitions; replay --workers ${WORKERS}; results written to PostgreSQL; time from the replay's first fetch to its last commit (the process's wall time beside it)`;
}

const result = {
  benchmark: 'history',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
  setup,
  size: { days: DAYS, products: PRODUCTS, candles: CANDLES, full: DAYS === 730 && PRODUCTS === 10 },
  inProcess,
  replay,
  jesse: { candles: 1_050_000, seconds: 5.75, candlesPerSecond: Math.round(1_050_000 / 5.75), source: 'issue 12: an SMA-cross backtest of 1.05 M one-minute candles in Jesse\'s step mode' },
};
const file = `${PROJECT_ROOT}bench/results/history.json`;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
