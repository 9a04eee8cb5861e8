import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { CompressionTypes } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadProgramConfig } from '../config/loadProgramConfig.js';
import { createKafka } from '../kafka/createKafka.js';
import { advancedTradeProtocol } from '../producer/coinbase/advancedTrade/advancedTradeProtocol.js';
import { MarketDataProducer } from '../producer/MarketDataProducer.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { createTestTopics } from '../testing/producer/startTestProducer.js';
import { PROJECT_ROOT } from '../testing/services/localServices.js';
import { resolveServices } from '../testing/services/resolveServices.js';
import type { LoadCommand, LoadReport } from './coinbaseLoadWorker.js';
import { percentile } from './percentile.js';

/**
 * `make bench` (producer): the highest frame rate the producer sustains from a local Coinbase-protocol
 * server into real Kafka with its default settings, and its receipt → Kafka-acknowledgement latency.
 *
 * The offered rate steps up; a step is sustained when nothing overflowed and the queue drained within
 * DRAIN_GRACE_MS of the step's end (so the producer kept up rather than buffering). The server runs on a
 * worker thread; the broker is the local one (or KAFKA_BROKERS). All three share the machine's cores.
 */
const STEPS_FRAMES_PER_SECOND = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000];
const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 5);
const DRAIN_GRACE_MS = 2000;
const GOAL_FRAMES_PER_SECOND = 20_000;
const COMPRESSIONS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

const { services, stop: stopServices } = await resolveServices(process.env);
const defaults = loadProgramConfig('producer', process.env);
const logger = pino({ level: 'warn' });
const kafka = createKafka('bench', services.kafkaBrokers, logger);
const { prefix } = await createTestTopics(kafka, loadProgramConfig('topics', {}).KAFKA_TOPIC_PARTITIONS);

const worker = new Worker(new URL('./coinbaseLoadWorker.js', import.meta.url));
const url = await new Promise<string>((resolve) => worker.once('message', (m: { url: string }) => { resolve(m.url); }));
const offer = (command: LoadCommand) => new Promise<LoadReport>((resolve) => {
  worker.once('message', (report: LoadReport) => { resolve(report); });
  worker.postMessage(command);
});

const registry = new Registry();
const producer = new MarketDataProducer({
  protocol: advancedTradeProtocol, url, productIds: ['BTC-USD', 'ETH-USD'], kafka, topicPrefix: prefix,
  compression: COMPRESSIONS[defaults.KAFKA_COMPRESSION], maxFrameBytes: defaults.COINBASE_MAX_FRAME_BYTES,
  stallTimeoutMs: defaults.COINBASE_STALL_TIMEOUT_MS, subscribeTimeoutMs: defaults.COINBASE_SUBSCRIBE_TIMEOUT_MS,
  resubscribeIntervalMs: defaults.COINBASE_RESUBSCRIBE_INTERVAL_MS,
  reconnectBaseMs: defaults.COINBASE_RECONNECT_BASE_MS, reconnectMaxMs: defaults.COINBASE_RECONNECT_MAX_MS,
  queueMaxBytes: defaults.PRODUCER_QUEUE_MAX_BYTES, dedupeWindow: defaults.PRODUCER_DEDUPE_WINDOW,
  registry, logger, nowUs: wallClockUs,
});
// Exact latencies for percentiles (the Prometheus histogram only has buckets).
let latenciesMs: number[] = [];
const histogram = producer.metrics.publishLatency;
const observe = histogram.observe.bind(histogram);
histogram.observe = ((value: number) => { latenciesMs.push(value * 1000); observe(value); }) as typeof histogram.observe;

await producer.start();
while ((await metricValue(registry, 'producer_ws_connected')) !== 1) await sleep(10);

const metric = (name: string) => metricValue(registry, name);
const steps = [];
for (const framesPerSecond of STEPS_FRAMES_PER_SECOND) {
  latenciesMs = [];
  const overflowBefore = await metric('producer_queue_overflow_frames_total');
  const framesBefore = await metric('producer_ws_frames_total');
  const ticker = setInterval(() => {
    void metric('producer_queue_bytes').then((bytes) => {
      progress(`offering ${framesPerSecond} frames/s: ${latenciesMs.length} acknowledged, queue ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    });
  }, 250);
  const report = await offer({ framesPerSecond, seconds: STEP_SECONDS });
  const drainDeadline = performance.now() + DRAIN_GRACE_MS;
  while ((await metric('producer_queue_frames')) > 0 && performance.now() < drainDeadline) await sleep(10);
  const drained = (await metric('producer_queue_frames')) === 0;
  // Let a slow step finish before the next one starts.
  while ((await metric('producer_queue_frames')) > 0) await sleep(50);
  clearInterval(ticker);
  const frames = (await metric('producer_ws_frames_total')) - framesBefore;
  const overflowed = (await metric('producer_queue_overflow_frames_total')) - overflowBefore;
  const sustained = drained && overflowed === 0 && frames / report.seconds >= 0.95 * framesPerSecond;
  steps.push({
    offeredFramesPerSecond: framesPerSecond,
    receivedFramesPerSecond: Math.round(frames / report.seconds),
    sustained,
    overflowedFrames: overflowed,
    publishLatencyMs: { p50: Number(percentile(latenciesMs, 50).toFixed(2)), p99: Number(percentile(latenciesMs, 99).toFixed(2)) },
  });
  progress('');
  if (!sustained) break;
}
await producer.stop(10_000);
await worker.terminate();
await stopServices();

const best = steps.filter((s) => s.sustained).at(-1);
const atGoal = steps.find((s) => s.offeredFramesPerSecond === GOAL_FRAMES_PER_SECOND);
const result = {
  benchmark: 'producer',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
  setup: {
    kafka: `${services.origin} broker ${services.kafkaBrokers.join(',')}`,
    feed: 'advanced-trade from a local Coinbase-protocol server on a worker thread; 2 frames per trade (market_trades + ticker)',
    compression: defaults.KAFKA_COMPRESSION,
    stepSeconds: STEP_SECONDS,
    sustainedMeans: `no overflow, ≥ 95 % of the offered rate received, queue drained within ${DRAIN_GRACE_MS} ms of the step's end`,
    note: 'load generator, producer and Kafka broker share the machine\'s cores',
  },
  steps,
  maxSustainedFramesPerSecond: best?.offeredFramesPerSecond ?? 0,
  atGoal: atGoal ?? null,
  goal: { framesPerSecond: GOAL_FRAMES_PER_SECOND, met: (best?.offeredFramesPerSecond ?? 0) >= GOAL_FRAMES_PER_SECOND },
};
const file = `${PROJECT_ROOT}bench/results/producer.json`;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${file}`);
