import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { Registry } from 'prom-client';
import { EngineCore, type EngineRecord, type SkippedCandles } from '../engine/core/EngineCore.js';
import type { EngineSettings } from '../engine/core/EngineSettings.js';
import { EngineRunner } from '../engine/EngineRunner.js';
import { kafkaBatches } from '../engine/pipeline/kafkaBatches.js';
import { runPipeline } from '../engine/pipeline/runPipeline.js';
import type { SourceBatch } from '../engine/pipeline/SourceBatch.js';
import { PostgresCheckpointer } from '../engine/sinks/PostgresCheckpointer.js';
import { GroupConsumer } from '../kafka/GroupConsumer.js';
import { createEngineMetrics } from '../metrics/engineMetrics.js';
import { wallClockUs } from '../runtime/wallClockUs.js';
import type { TopicNames } from '../wire/topics.js';
import type { ReplaySpeed, ReplayTopic } from './parseReplayArgs.js';
import type { PartitionRange } from './replayRange.js';

/** At full speed, the records handed to the engine at a time: a stop is seen between two pieces. */
const MAX_PIECE = 1000;

export interface ReplayOptions {
  readonly kafka: Kafka;
  /** For the replay's consumer, which has a client of its own. */
  readonly brokers: readonly string[];
  readonly sql: Sql;
  readonly topics: TopicNames;
  /** The topic read: `normalized` or `history` (whose settings keep event time per product). */
  readonly topic: ReplayTopic;
  readonly settings: EngineSettings;
  /** The partitions read (the topic's others are paused) and their offsets. */
  readonly ranges: readonly PartitionRange[];
  /**
   * The Kafka consumer group and the checkpoints' group; default the run id. Replay workers of one run each
   * have their own (kafkajs cannot assign partitions by hand: each worker's group holds the whole topic).
   */
  readonly group?: string;
  readonly speed: ReplaySpeed;
  readonly checkpointIntervalMs: number;
  readonly checkpointMaxRows: number;
  readonly logger: Logger;
  /** Offsets read so far, of `total`, whenever a batch is done. */
  readonly onProgress?: (read: bigint, total: bigint) => void;
  /** Resolves to stop early (Ctrl-C): what was read is committed, the run is then incomplete. */
  readonly interrupted?: Promise<void>;
  /**
   * After each piece of records the engine was given, with the products seen so far ({@link EngineCore.productsSeen}):
   * the caller records its run once a product it selected appears, so that a range with none of them records nothing.
   */
  readonly onHandled?: (productsSeen: ReadonlySet<string>) => Promise<void>;
}

export interface ReplayOutcome {
  readonly records: number;
  readonly complete: boolean;
  /** Candles skipped as coarser than the bars, per product and granularity (history holding several granularities). */
  readonly skippedCandles: readonly SkippedCandles[];
  /** The products of which the range held a record, selected or not. */
  readonly productsSeen: ReadonlySet<string>;
}

/**
 * Reads the ranges of prices.normalized (or prices.history) through the live engine's own pipeline: the kafkajs source as an
 * Observable, `runPipeline`, `EngineRunner` and `EngineCore`, with checkpoints (results and keyed state in
 * one transaction) under a consumer group of its own, so the live group's offsets never move and nothing
 * is published to the live topics. Stops at the end offsets fixed before it started (or when interrupted,
 * after committing what it read); then deletes its working checkpoints, keeping the results.
 */
export async function runReplay(o: ReplayOptions): Promise<ReplayOutcome> {
  // The run id names the replay's consumer group and its checkpoints (a worker's group, its share of them).
  const group = o.group ?? o.settings.runId;
  const topic = o.topics[o.topic];
  const ranges = new Map(o.ranges.map((r) => [r.partition, r]));
  const total = o.ranges.reduce((n, r) => n + (r.end - r.start), 0n);
  const position = new Map(o.ranges.map((r) => [r.partition, r.start]));
  const read = () => o.ranges.reduce((n, r) => n + ((position.get(r.partition) ?? r.start) - r.start), 0n);
  let finish = () => {};
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const checkFinished = () => { if (o.ranges.every((r) => (position.get(r.partition) ?? r.start) >= r.end)) finish(); };

  let failed: unknown = null;
  // A client of its own, closed for good when the replay ends, whatever the group is doing (GroupConsumer).
  const source = new GroupConsumer({
    clientId: 'replay', brokers: o.brokers, logger: o.logger, leaveTimeoutMs: 5000,
    config: { groupId: group, maxWaitTimeInMs: 100, allowAutoTopicCreation: false },
    onFatal: (error) => {
      failed ??= error;
      finish();
    },
  });
  const { consumer } = source;
  const checkpointer = new PostgresCheckpointer(o.sql, group, o.topics, { runId: o.settings.runId, publish: false, topic });
  // A misaligned candle fails the replay rather than leave holes in its results; a candle coarser than the bars
  // is skipped (the product's finer data builds them; the caller fails a product left with none).
  const core = new EngineCore(o.settings, topic, { refuseUnusableCandles: true, skipCoarseCandles: true });
  const runner = new EngineRunner({
    core, checkpointer, metrics: createEngineMetrics(new Registry()), logger: o.logger,
    nowUs: wallClockUs, checkpointIntervalMs: o.checkpointIntervalMs, checkpointMaxRows: o.checkpointMaxRows,
    onCommitted: () => undefined, instanceGauges: false,
    seek: (partition, offset) => {
      const range = ranges.get(partition);
      if (range !== undefined) consumer.seek({ topic, partition, offset: offset ?? String(range.start) });
    },
  });
  let records = 0;
  let paceFrom: { eventMs: number; wallMs: number } | null = null;
  let stopping = false;
  const interrupted = o.interrupted ?? new Promise<void>(() => {});
  void interrupted.then(() => { stopping = true; });
  const pace = async (eventMs: number) => {
    if (o.speed.kind === 'max') return;
    paceFrom ??= { eventMs, wallMs: performance.now() };
    const due = paceFrom.wallMs + (eventMs - paceFrom.eventMs) / o.speed.factor;
    const wait = due - performance.now();
    if (wait > 1) await Promise.race([sleep(wait), interrupted]);
  };

  const handle = async (batch: SourceBatch) => {
    if (failed !== null) return;
    try {
      await handleRange(batch);
    } catch (error) {
      // The same records would fail again: a replay stops at its first error instead of retrying forever.
      failed = error;
      finish();
    }
  };
  const handleRange = async (batch: SourceBatch) => {
    const range = ranges.get(batch.partition);
    // Before its partition is restored, a batch is not the engine's (the restore seeks and it comes again).
    if (range === undefined || batch.isStale() || batch.records.length === 0 || !runner.ownedPartitions.includes(batch.partition)) return;
    // Records before the partition's position were read already (a fetch from before a seek repeats them).
    const readFrom = position.get(batch.partition) ?? range.start;
    const inRange = (r: EngineRecord) => {
      const offset = BigInt(r.offset);
      return offset >= readFrom && offset < range.end;
    };
    const wanted = batch.records.filter(inRange);
    // Paced: hand the records over a second of event time at a time, each when its time comes. Interrupted:
    // stop between two pieces, and count as read only what the engine was given.
    let from = 0;
    let handledUpTo = BigInt((batch.records.at(-1) as EngineRecord).offset) + 1n;
    while (from < wanted.length) {
      if (stopping || batch.isStale()) {
        handledUpTo = BigInt((wanted[from] as EngineRecord).offset);
        break;
      }
      let to = from + 1;
      if (o.speed.kind === 'paced') {
        const second = Math.floor((wanted[from] as EngineRecord).timestampMs / 1000);
        while (to < wanted.length && Math.floor((wanted[to] as EngineRecord).timestampMs / 1000) === second) to++;
        await pace((wanted[from] as EngineRecord).timestampMs);
        // A paced batch can take longer than the session timeout: stay in the group.
        await batch.heartbeat();
      } else {
        to = Math.min(wanted.length, from + MAX_PIECE);
      }
      await runner.handle({ ...batch, records: wanted.slice(from, to) });
      await o.onHandled?.(core.productsSeen);
      records += to - from;
      from = to;
      // Lets a Ctrl-C (a signal, or a worker's message) be seen before the next piece, so that a stop never
      // waits for a whole fetch (kafkajs's stop waits for the batch in hand; past its leave timeout, the
      // consumer could not leave its group and the group could not be deleted).
      if (from < wanted.length) await setImmediate();
    }
    if (batch.isStale()) return;
    const reached = handledUpTo > range.end ? range.end : handledUpTo;
    if (reached > (position.get(batch.partition) ?? 0n)) position.set(batch.partition, reached);
    o.onProgress?.(read(), total);
    checkFinished();
  };

  if (total === 0n) return { records: 0, complete: true, skippedCandles: [], productsSeen: new Set() };
  await source.connect();
  try {
    source.onAssignment((assignment) => {
      // Partitions outside the ranges (another worker's) are not fetched at all.
      const others = (assignment[topic] ?? []).filter((p) => !ranges.has(p));
      if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
      runner.assign((assignment[topic] ?? []).filter((p) => ranges.has(p))).catch((error: unknown) => {
        failed = error;
        finish();
      });
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    runner.start();
    const pipeline = runPipeline(kafkaBatches(source), handle).subscribe({
      error: (error: unknown) => { failed = error; finish(); },
    });
    await Promise.race([finished, interrupted]);
    stopping = true;
    await source.close();
    pipeline.unsubscribe();
    if (!(await runner.stop()) && failed === null) failed = new Error('the last checkpoint failed: this run\'s results are incomplete');
  } finally {
    await source.close();
    // Its working checkpoints are of no further use, whatever happened.
    await checkpointer.forgetAll().catch((error: unknown) => { o.logger.warn({ err: error }, 'could not delete the replay\'s working checkpoints'); });
    // The group only existed for this run; it committed nothing.
    const admin = o.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([group]).catch((error: unknown) => {
      o.logger.warn({ err: error, group }, 'could not delete the replay\'s consumer group (it holds no offsets; delete it with kafka-consumer-groups.sh --delete)');
    }).finally(() => admin.disconnect());
  }
  if (failed !== null) throw failed instanceof Error ? failed : new Error(`the replay source failed: ${JSON.stringify(failed)}`);
  return { records, complete: o.ranges.every((r) => (position.get(r.partition) ?? r.start) >= r.end), skippedCandles: core.skippedCandles,
    productsSeen: core.productsSeen };
}
