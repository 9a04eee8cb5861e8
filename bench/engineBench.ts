import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Partitioners, type Kafka } from 'kafkajs';
import { pino } from 'pino';
import { createKafka } from '../kafka/createKafka.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { sampleSum } from '../testing/metrics/scrapeSamples.js';
import { createTestSchema, type TestSchema } from '../testing/db/createTestSchema.js';
import { engineEnvironment } from '../testing/engine/engineEnvironment.js';
import { publishEvents } from '../testing/engine/publishEvents.js';
import { waitForEngineToCatchUp } from '../testing/engine/waitForEngine.js';
import { ProgramProcess } from '../testing/process/ProgramProcess.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';
import { resolveServices } from '../testing/services/resolveServices.js';
import { waitFor } from '../testing/waitFor.js';
import { toKafkaMessage } from '../kafka/toKafkaMessage.js';
import type { TradeEvent } from '../wire/MarketEvent.js';
import { marketEventRecord } from '../wire/marketEventRecord.js';
import { engineThroughput, trades } from './engineThroughput.js';
import { histogramQuantile, scrapeBuckets } from './histogramQuantile.js';

/**
 * `make bench` (engine): (a) in-process throughput of the engine's core against a bare loop; (b) Kafka →
 * engine → sinks sustained throughput against a raw kafkajs consumer of the same topic; (c) receipt → signal
 * latency at 5 000 ticks/s through Kafka; (d) resident memory with 1 000 products × 3 strategies, in fresh
 * processes. (b) and (c) run the real engine program (dist/engine/main.js) against the local services (or
 * KAFKA_BROKERS / DATABASE_URL), each in its own topics and schema.
 */
const SUSTAINED_TICKS = Number(process.env['BENCH_ENGINE_TICKS'] ?? 600_000);
const LATENCY_TICKS_PER_SECOND = 5000;
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 60);
const MEMORY_RUNS = Number(process.env['BENCH_MEMORY_RUNS'] ?? 3);

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

async function scrape(engine: ProgramProcess): Promise<string> {
  return (await fetch(`http://127.0.0.1:${String(await engine.metricsPort())}/metrics`)).text();
}

async function startEngine(env: Record<string, string>): Promise<ProgramProcess> {
  const engine = new ProgramProcess('engine/main.js', env);
  await waitFor('the engine to own its partitions', () => {
    if (engine.stderr.length > 0) throw new Error(`the engine failed: ${engine.stderr.join('\n')}`);
    return engine.logs().filter((l) => l['msg'] === 'partition restored from its checkpoint').length === 3;
  }, 60_000);
  return engine;
}

async function stopEngine(engine: ProgramProcess): Promise<void> {
  engine.signal('SIGTERM');
  const code = await engine.exited;
  if (code !== 0) throw new Error(`the engine exited with ${code}: ${engine.stderr.slice(-5).join('\n')}`);
}

/** Records per second of a kafkajs consumer that only touches each message, first message to last. */
async function rawConsumerRate(kafka: Kafka, topic: string, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  await consumer.run({
    autoCommit: false,
    eachBatch: ({ batch }) => {
      if (first === 0) first = performance.now();
      for (const message of batch.messages) bytes += message.value?.length ?? 0;
      count += batch.messages.length;
      if (count >= total) last = performance.now();
      return Promise.resolve();
    },
  });
  await waitFor('the raw consumer to read the topic', () => count >= total, 300_000);
  await consumer.disconnect();
  if (bytes === 0) throw new Error('the raw consumer read no bytes');
  return total / ((last - first) / 1000);
}

/** (b): the engine from its first consumed record until every record is checkpointed and its outbox is empty. */
async function sustained(kafka: Kafka, schema: TestSchema, env: Record<string, string>, group: string, topic: string) {
  const engine = await startEngine(env);
  let first: { at: number; consumed: number } | null = null;
  while (first === null) {
    const consumed = sampleSum(await scrape(engine), 'engine_records_consumed_total') ?? 0;
    if (consumed > 0) first = { at: performance.now(), consumed };
    else await sleep(5);
  }
  // Scraping costs the engine CPU: no more of it until the end.
  progress(`(b) the engine is consuming ${SUSTAINED_TICKS} ticks`);
  await waitForEngineToCatchUp(kafka, schema.sql, group, topic, 600_000);
  const seconds = (performance.now() - first.at) / 1000;
  progress('');
  const [rows] = await schema.sql<{ n: string }[]>`SELECT (SELECT count(*) FROM bars) + (SELECT count(*) FROM signals) + (SELECT count(*) FROM trades) + (SELECT count(*) FROM strategy_metrics) AS n`;
  await stopEngine(engine);
  return { ticksPerSecond: (SUSTAINED_TICKS - first.consumed) / seconds, resultRows: Number(rows?.n) };
}

/** (c): ticks stamped with the wall clock at "receipt", published at a steady rate while the engine runs live. */
async function latency(kafka: Kafka, env: Record<string, string>, topic: string) {
  const engine = await startEngine(env);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const prices = Array.from({ length: 100 }, (_, i) => 100 + i);
  let seed = 11;
  const next = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const perTickMs = 1000 / LATENCY_TICKS_PER_SECOND;
  const start = performance.now();
  let sent = 0;
  while (sent < LATENCY_TICKS_PER_SECOND * LATENCY_SECONDS) {
    const due = Math.min(LATENCY_TICKS_PER_SECOND * LATENCY_SECONDS, Math.floor((performance.now() - start) / perTickMs));
    if (due > sent) {
      const nowUs = wallClockUs();
      const messages = [];
      for (; sent < due; sent++) {
        const p = sent % prices.length;
        prices[p] = (prices[p] as number) * (1 + (next() - 0.5) * 0.004);
        const event: TradeEvent = {
          type: 'trade', v: 1, source: 'coinbase-advanced-trade', productId: `P${p}-USD`, exchangeTimeUs: nowUs, receivedAtUs: nowUs,
          tradeId: String(sent), price: (prices[p]).toFixed(2), size: '0.01', side: 'sell', snapshot: false,
        };
        messages.push(toKafkaMessage(marketEventRecord(event)));
      }
      await producer.send({ topic, messages, acks: -1 });
      if (sent % 5000 < messages.length) progress(`(c) published ${sent} ticks at ${LATENCY_TICKS_PER_SECOND}/s`);
    }
    await sleep(5);
  }
  const offeredSeconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  await sleep(4000);
  progress('');
  const text = await scrape(engine);
  await stopEngine(engine);
  const summary = (name: string) => {
    const buckets = scrapeBuckets(text, name);
    const count = buckets.at(-1)?.count ?? 0;
    const within10ms = buckets.find((b) => b.le === 0.01)?.count ?? 0;
    return {
      observations: count,
      p50Ms: Number((histogramQuantile(0.5, buckets) * 1000).toFixed(2)),
      p99Ms: Number((histogramQuantile(0.99, buckets) * 1000).toFixed(2)),
      shareWithin10Ms: Number((within10ms / count).toFixed(4)),
    };
  };
  return { offeredTicksPerSecond: Math.round(sent / offeredSeconds), receiptToSignal: summary('engine_receipt_to_signal_seconds'), receiptToConsume: summary('engine_receipt_to_consume_seconds') };
}

async function memoryRun(): Promise<{ rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; arrayBuffersMiB: number; rssBeforeMiB: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', `${PROJECT_ROOT}dist/bench/engineMemory.js`], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as never;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

progress('(a) in-process throughput');
const inProcess = [engineThroughput(600), engineThroughput(60)];

const memoryRuns = [];
for (let i = 0; i < MEMORY_RUNS; i++) {
  progress(`(d) memory, run ${i + 1} of ${MEMORY_RUNS} (about a minute each)`);
  memoryRuns.push(await memoryRun());
}

const { services, stop: stopServices } = await resolveServices(process.env);
const kafka = createKafka('bench', services.kafkaBrokers, pino({ level: 'warn' }));
const common = {
  STRATEGY_MODULE: 'sma_cross', STRATEGY_PARAMS: '', ENGINE_STAT_WINDOWS: '60,1440', ENGINE_CHECKPOINT_INTERVAL_MS: '5000',
  ENGINE_START_FROM: 'earliest', LOG_LEVEL: 'info',
};

progress(`(b) publishing ${SUSTAINED_TICKS} ticks`);
const sustainedTopics = await createTestTopics(kafka, 3);
const sustainedSchema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
await publishEvents(kafka, sustainedTopics.topics.normalized, trades(SUSTAINED_TICKS, 100, 60));
progress('(b) raw consumer');
const raw = await rawConsumerRate(kafka, sustainedTopics.topics.normalized, SUSTAINED_TICKS);
const sustainedGroup = `bench-${randomUUID().slice(0, 8)}`;
const { env: sustainedEnv } = await engineEnvironment(services, {
  schema: sustainedSchema.schema, prefix: sustainedTopics.prefix, group: sustainedGroup,
  extra: { ...common, ENGINE_INTERVALS: '1m', ENGINE_CHECKPOINT_INTERVAL_MS: '1000' },
});
const engineRun = await sustained(kafka, sustainedSchema, sustainedEnv, sustainedGroup, sustainedTopics.topics.normalized);
await sustainedSchema.drop();

const latencyTopics = await createTestTopics(kafka, 3);
const latencySchema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
const { env: latencyEnv } = await engineEnvironment(services, {
  schema: latencySchema.schema, prefix: latencyTopics.prefix, group: `bench-${randomUUID().slice(0, 8)}`,
  extra: { ...common, ENGINE_INTERVALS: '1s', STRATEGY_PARAMS: '{"fast":2,"slow":4}', ENGINE_STAT_WINDOWS: '60', ENGINE_ALLOWED_LATENESS_MS: '500' },
});
const live = await latency(kafka, latencyEnv, latencyTopics.topics.normalized);
await latencySchema.drop();
await stopServices();

const rss = memoryRuns.map((r) => r.rssMiB);
const result = {
  benchmark: 'engine',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
  inProcess: {
    note: 'one core; 1-minute bars; ticks per bar sets how much per-bar work (strategy, fills, statistics, one result row per bar) each tick carries',
    runs: inProcess,
    goal: { ticksPerSecond: 1_000_000, met: inProcess.every((r) => r.goal.met) },
  },
  kafkaSustained: {
    setup: `${services.origin} Kafka and PostgreSQL; ${SUSTAINED_TICKS} trades of 100 products over 60 minutes on 3 partitions; the engine program with sma_cross, 1-minute bars, windows 60,1440, checkpoints every second; from its first consumed record until every record is checkpointed with its results and its outbox published to Kafka`,
    rawConsumerTicksPerSecond: Math.round(raw),
    engineTicksPerSecond: Math.round(engineRun.ticksPerSecond),
    resultRows: engineRun.resultRows,
    ratio: Number((engineRun.ticksPerSecond / raw).toFixed(3)),
    goal: { ratio: 0.8, met: engineRun.ticksPerSecond / raw >= 0.8 },
  },
  latency: {
    setup: `${LATENCY_SECONDS} s at ${LATENCY_TICKS_PER_SECOND} ticks/s over 100 products, stamped at publication; the engine program with sma_cross(2,4) on 1-second bars, lateness 500 ms; quantiles interpolated in the engine's own Prometheus histogram buckets (0.5, 1, 2.5, 5, 10 ms …)`,
    ...live,
    goal: { p99Ms: 10, met: live.receiptToSignal.p99Ms <= 10 },
  },
  memory: {
    setup: '1 000 products × sma_cross, ema_cross, rsi_reversion on 1-minute bars, windows 60,1440 full (1 500 minutes); RSS after two forced GCs in a fresh process',
    runs: memoryRuns,
    medianRssMiB: median(rss),
    maxRssMiB: Math.max(...rss),
    goal: { rssMiB: 250, met: median(rss) <= 250 },
  },
};
const file = `${PROJECT_ROOT}bench/results/engine.json`;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
