import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { formatDurationSeconds } from '../config/parseDuration.js';
import type { EngineMetrics } from '../metrics/engineMetrics.js';
import type { EngineCore } from './core/EngineCore.js';
import { EngineOutputs } from './core/outputs.js';
import { encodeState } from './core/stateJson.js';
import type { SourceBatch } from './pipeline/SourceBatch.js';
import { FencedError, type PostgresCheckpointer, RunSupersededError } from './sinks/PostgresCheckpointer.js';

const NOTHING_BEFORE = { signals: 0, bars: 0, fills: 0, metrics: 0, late: 0, invalid: 0 } as const;

interface PartitionRuntime {
  /** The next offset to process; null before the first record of a never-checkpointed partition. */
  nextOffset: bigint | null;
  /** The offset the last committed checkpoint resumes from. */
  committedOffset: bigint | null;
  /** Checkpoints of one partition run one after the other (each expects the version the previous wrote). */
  lock: Promise<void>;
  version: number;
  outputs: EngineOutputs;
  lastCheckpointMs: number;
  /**
   * A checkpoint's outputs were dropped (it failed while stopping): no later checkpoint may commit an offset
   * past them, so the next start resumes from the last committed one.
   */
  abandoned: boolean;
}

/** A database read or write the engine keeps retrying: consumption waits on it. */
export interface DatabaseFailure {
  /** When its first attempt failed (wall clock, ms). */
  readonly sinceMs: number;
  /** Why the last attempt failed. */
  readonly error: string;
}

export interface EngineRunnerOptions {
  readonly core: EngineCore;
  readonly checkpointer: PostgresCheckpointer;
  readonly metrics: EngineMetrics;
  readonly logger: Logger;
  readonly checkpointIntervalMs: number;
  readonly checkpointMaxRows: number;
  /** Wall clock, µs: latency metrics and checkpoint timing only, never results. */
  readonly nowUs: () => number;
  /** After a checkpoint committed (the outbox has rows; Kafka may record the offset for lag tools). */
  readonly onCommitted: (partition: number, nextOffset: string) => void;
  /** Moves the source to an offset (after a restore); null means the partition has no checkpoint. */
  readonly seek: (partition: number, offset: string | null) => void;
  /** The engine cannot go on (its run was superseded): nothing more is committed; the program should stop. */
  readonly onFatal?: (error: Error) => void;
  /** Per-instance gauges (equity, position, statistics); off where nobody scrapes them (a replay). Default on. */
  readonly instanceGauges?: boolean;
}

/**
 * Drives the engine core from a source: owns partitions (restoring them from their checkpoints), feeds it
 * batches, records metrics, and checkpoints each partition when due (time or size), on shutdown and on
 * rebalance. A checkpoint commits while the partition goes on consuming; the next one waits for it. A failing
 * checkpoint is retried with back-off, so consumption pauses at the next (memory stays bounded); a fenced one
 * reloads the partition and resumes from what the other engine committed.
 */
export class EngineRunner {
  readonly #o: EngineRunnerOptions;
  readonly #partitions = new Map<number, PartitionRuntime>();
  readonly #loading = new Map<number, Promise<void>>();
  #stopping = false;
  #timer: NodeJS.Timeout | null = null;
  /** One entry per retry loop still failing (a checkpoint, a restore): each removes its own when it ends. */
  readonly #failures = new Set<{ sinceMs: number; error: string }>();

  constructor(options: EngineRunnerOptions) {
    this.#o = options;
  }

  /** Checkpoints partitions that processed records but received no batch since (a quiet market). */
  start(): void {
    this.#timer ??= setInterval(() => {
      for (const [partition, runtime] of this.#partitions) {
        const idle = Date.now() - runtime.lastCheckpointMs >= this.#o.checkpointIntervalMs;
        if (idle && runtime.nextOffset !== runtime.committedOffset) void this.checkpoint(partition);
      }
    }, this.#o.checkpointIntervalMs);
    this.#timer.unref();
  }

  get ownedPartitions(): number[] {
    return [...this.#partitions.keys()];
  }

  /** The partitions this engine owns, with the next offset it processes in each (null: no record yet, no checkpoint). */
  get positions(): { partition: number; nextOffset: string | null }[] {
    return [...this.#partitions].map(([partition, r]) => ({ partition, nextOffset: r.nextOffset === null ? null : String(r.nextOffset) }));
  }

  /**
   * Null unless a checkpoint (or a restore) is failing and being retried, which pauses consumption: then since
   * when the oldest such failure lasts, and the last error of the newest.
   */
  get databaseFailure(): DatabaseFailure | null {
    let oldest: DatabaseFailure | null = null;
    let error = '';
    for (const f of this.#failures) {
      if (oldest === null || f.sinceMs < oldest.sinceMs) oldest = f;
      error = f.error;
    }
    return oldest === null ? null : { sinceMs: oldest.sinceMs, error };
  }

  /**
   * The source's new assignment: restore partitions gained, forget partitions lost, and move the source of
   * partitions kept to where this engine is (a consumer restarted after a crash, or a broker outage, would
   * fetch from Kafka's committed offsets, which are for lag tools only). Ignored once stopping.
   */
  async assign(partitions: readonly number[]): Promise<void> {
    if (this.#stopping) return;
    for (const [partition, runtime] of this.#partitions) {
      if (!partitions.includes(partition)) this.#forget(partition);
      else if (runtime.nextOffset !== null) this.#o.seek(partition, String(runtime.nextOffset));
    }
    await Promise.all(partitions.filter((p) => !this.#partitions.has(p) && !this.#loading.has(p)).map((p) => this.#restore(p)));
  }

  async handle(batch: SourceBatch): Promise<void> {
    await this.#loading.get(batch.partition);
    let runtime = this.#partitions.get(batch.partition);
    if (runtime === undefined || batch.isStale()) return;
    const { core, metrics } = this.#o;
    const dormant = core.dormantAmong(batch.partition, batch.records);
    if (dormant.length > 0) {
      await this.#wake(batch.partition, runtime, dormant);
      runtime = this.#partitions.get(batch.partition);
      if (runtime === undefined || batch.isStale()) return;
    }
    // The loop below never yields, so nothing can make the batch stale while it runs.
    const partitionLabel = String(batch.partition);
    let consumed = 0;
    try {
      for (const record of batch.records) {
        const offset = BigInt(record.offset);
        if (runtime.nextOffset !== null && offset < runtime.nextOffset) continue;
        const out = runtime.outputs;
        const sizeBefore = out.size;
        const counts = sizeBefore === 0 ? NOTHING_BEFORE : { signals: out.signals.length, bars: out.bars.length, fills: out.fills.length, metrics: out.metrics.length, late: out.late.length, invalid: out.invalid.length };
        const event = core.process(record, out);
        runtime.nextOffset = offset + 1n;
        consumed++;
        const nowUs = this.#o.nowUs();
        if (event !== null) metrics.receiptToConsume.observe(Math.max(0, nowUs - event.receivedAtUs) / 1e6);
        // Most ticks only update a bar: nothing to observe.
        if (out.size !== sizeBefore || out.gaps > 0 || out.duplicates > 0 || out.covered > 0) this.#observe(out, counts, event?.receivedAtUs ?? null, nowUs);
      }
    } finally {
      metrics.recordsConsumed.inc({ partition: partitionLabel }, consumed);
    }
    metrics.consumerLag.set({ partition: partitionLabel }, Math.max(0, Number(BigInt(batch.highWatermark) - (runtime.nextOffset ?? 0n))));
    const watermarkUs = core.partitions.get(batch.partition)?.watermarkUs;
    if (watermarkUs !== undefined && watermarkUs > 0) metrics.watermark.set({ partition: partitionLabel }, watermarkUs / 1e6);
    metrics.keyedProducts.set([...core.partitions.values()].reduce((n, p) => n + p.productCount, 0));
    const due = runtime.outputs.size >= this.#o.checkpointMaxRows || Date.now() - runtime.lastCheckpointMs >= this.#o.checkpointIntervalMs;
    if (!due) return;
    // Consumption goes on while this checkpoint commits; it waits only for a previous checkpoint of the
    // partition still in flight, which bounds memory and pauses consumption while the database is down.
    await runtime.lock;
    if (this.#partitions.get(batch.partition) !== runtime) return;
    runtime.lastCheckpointMs = Date.now();
    this.checkpoint(batch.partition, () => batch.heartbeat()).catch((error: unknown) => {
      this.#o.logger.error({ err: error, partition: batch.partition }, 'checkpoint failed');
    });
  }

  /** Commits one partition's pending results, state and offset; retries until it succeeds or the engine stops. */
  checkpoint(partition: number, heartbeat: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    const runtime = this.#partitions.get(partition);
    if (runtime === undefined) return Promise.resolve();
    const next = runtime.lock.then(() => this.#commit(partition, runtime, heartbeat));
    runtime.lock = next.catch(() => undefined);
    return next;
  }

  async #commit(partition: number, runtime: PartitionRuntime, heartbeat: () => Promise<void>): Promise<void> {
    const processor = this.#o.core.partitions.get(partition);
    if (this.#partitions.get(partition) !== runtime || processor === undefined || runtime.nextOffset === null || runtime.abandoned) return;
    if (runtime.nextOffset === runtime.committedOffset && runtime.outputs.size === 0) return;
    const outputs = runtime.outputs.drain();
    const changes = processor.takeChanges();
    // Encoded now, with the outputs: consumption goes on while the checkpoint commits, and a strategy's
    // snapshot may share structure with its live state.
    const changed = new Map([...changes.changed].map(([productId, state]) => [productId, encodeState(state)]));
    const dormant = new Map([...changes.dormant].map(([productId, state]) => [productId, encodeState(state)]));
    const nextOffset = String(runtime.nextOffset);
    const { metrics, logger } = this.#o;
    const failure = { sinceMs: 0, error: '' };
    try {
      for (let attempt = 1; ; attempt++) {
        const timer = metrics.checkpointDuration.startTimer();
        try {
          runtime.version = await this.#o.checkpointer.commit({
            partition, expectedVersion: runtime.version, nextOffset, meta: changes.meta, changed, dormant, outputs,
          });
          timer();
          metrics.checkpoints.inc({ result: 'ok' });
          metrics.checkpointRows.inc(outputs.size);
          runtime.lastCheckpointMs = Date.now();
          runtime.committedOffset = BigInt(nextOffset);
          this.#o.onCommitted(partition, nextOffset);
          return;
        } catch (error) {
          if (error instanceof RunSupersededError) {
            runtime.abandoned = true;
            logger.fatal({ err: error, partition }, 'the run was superseded: nothing more is committed');
            this.#o.onFatal?.(error);
            return;
          }
          if (error instanceof FencedError) {
            metrics.checkpoints.inc({ result: 'fenced' });
            logger.warn({ partition }, 'another engine checkpointed this partition: reloading it from that checkpoint');
            this.#forget(partition);
            await this.#restore(partition);
            return;
          }
          metrics.checkpoints.inc({ result: 'error' });
          metrics.dbErrors.inc();
          if (this.#stopping) {
            logger.error({ err: error, partition }, 'checkpoint failed during shutdown; the next start resumes from the previous one');
            runtime.abandoned = true;
            return;
          }
          const delayMs = Math.min(100 * 2 ** attempt, 5000);
          this.#failed(failure, error);
          logger.error({ err: error, partition, attempt, delayMs }, 'checkpoint failed; consumption waits and retries');
          await sleep(delayMs);
          await heartbeat().catch(() => undefined);
        }
      }
    } finally {
      this.#failures.delete(failure);
    }
  }

  async checkpointAll(): Promise<void> {
    for (const partition of [...this.#partitions.keys()]) await this.checkpoint(partition);
  }

  /**
   * Final checkpoints; failures are not retried (the next start resumes from the last committed one).
   * Resolves to whether everything processed was committed.
   */
  async stop(): Promise<boolean> {
    this.#stopping = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    await Promise.all(this.#loading.values());
    // The run ends here: rows held back by `recordEveryUs` (a replay's) go into the final checkpoints.
    for (const [partition, runtime] of this.#partitions) this.#o.core.recordLatest(partition, runtime.outputs);
    await this.checkpointAll();
    return [...this.#partitions.values()].every((r) => !r.abandoned && r.nextOffset === r.committedOffset);
  }

  /**
   * Restores evicted products from the store before their records are processed. Their state reached the
   * store with a checkpoint of this partition, so the one in flight is awaited first.
   */
  async #wake(partition: number, runtime: PartitionRuntime, productIds: readonly string[]): Promise<void> {
    await runtime.lock;
    await this.#retrying(partition, 'restoring idle products failed; retrying', async () => {
      const states = await this.#o.checkpointer.loadDormant(partition, productIds);
      const processor = this.#o.core.partitions.get(partition);
      if (this.#partitions.get(partition) !== runtime || processor === undefined) return;
      for (const [productId, state] of states) processor.restore(productId, state);
      this.#o.logger.info({ partition, products: [...states.keys()] }, 'idle products are back: their books were restored');
    });
  }

  #forget(partition: number): void {
    this.#partitions.delete(partition);
    this.#o.core.revoke(partition);
    // Its lag is now the new owner's to report.
    this.#o.metrics.consumerLag.remove({ partition: String(partition) });
  }

  #restore(partition: number): Promise<void> {
    const loading = this.#retrying(partition, 'loading the checkpoint failed; retrying', async () => {
      const loaded = await this.#o.checkpointer.load(partition);
      this.#o.core.assign(partition, loaded.snapshot);
      const offset = loaded.nextOffset === null ? null : BigInt(loaded.nextOffset);
      this.#partitions.set(partition, {
        nextOffset: offset, committedOffset: offset, lock: Promise.resolve(), version: loaded.version,
        outputs: new EngineOutputs(), lastCheckpointMs: Date.now(), abandoned: false,
      });
      this.#o.seek(partition, loaded.nextOffset);
      this.#o.logger.info({ partition, nextOffset: loaded.nextOffset, products: loaded.snapshot?.products.size ?? 0 }, 'partition restored from its checkpoint');
    }).finally(() => this.#loading.delete(partition));
    this.#loading.set(partition, loading);
    return loading;
  }

  /** A database read retried with back-off until it succeeds, or fails for good once the engine is stopping. */
  async #retrying(partition: number, message: string, read: () => Promise<void>): Promise<void> {
    const failure = { sinceMs: 0, error: '' };
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await read();
          return;
        } catch (error) {
          this.#o.metrics.dbErrors.inc();
          if (this.#stopping) throw error;
          this.#failed(failure, error);
          this.#o.logger.error({ err: error, partition, attempt }, message);
          await sleep(Math.min(100 * 2 ** attempt, 5000));
        }
      }
    } finally {
      this.#failures.delete(failure);
    }
  }

  /** Records a failed attempt of a retry loop: the first one sets since when it fails. */
  #failed(failure: { sinceMs: number; error: string }, error: unknown): void {
    if (!this.#failures.has(failure)) failure.sinceMs = Date.now();
    failure.error = error instanceof Error ? error.message : String(error);
    this.#failures.add(failure);
  }

  #observe(out: EngineOutputs, before: Record<'signals' | 'bars' | 'fills' | 'metrics' | 'late' | 'invalid', number>, receivedAtUs: number | null, nowUs: number): void {
    const { metrics } = this.#o;
    const labels = (k: { strategyId: string; paramsKey: string; productId: string; intervalUs: number }) => ({
      strategy: k.strategyId, params: k.paramsKey, product: k.productId, interval: formatDurationSeconds(k.intervalUs / 1e6),
    });
    for (const bar of out.bars.slice(before.bars)) {
      metrics.barsClosed.inc({ interval: formatDurationSeconds(bar.intervalUs / 1e6) });
      metrics.eventToEmit.observe(Math.max(0, nowUs - bar.endUs) / 1e6);
    }
    for (const signal of out.signals.slice(before.signals)) {
      metrics.signals.inc({ ...labels(signal), target: signal.target });
      if (receivedAtUs !== null) metrics.receiptToSignal.observe(Math.max(0, nowUs - receivedAtUs) / 1e6);
    }
    for (const fill of out.fills.slice(before.fills)) metrics.fills.inc(labels(fill));
    const instanceMetrics = this.#o.instanceGauges === false ? [] : out.metrics.slice(before.metrics);
    for (const m of instanceMetrics) {
      const l = labels(m);
      metrics.equity.set(l, m.equity);
      metrics.position.set(l, m.position);
      for (const s of m.stats) {
        const w = { ...l, window: s.windowBars === 0 ? 'all' : String(s.windowBars) };
        metrics.cumulativeReturn.set(w, s.cumulativeReturn);
        metrics.sharpe.set(w, s.sharpe);
        metrics.sortino.set(w, s.sortino);
        metrics.drawdown.set(w, s.maxDrawdown);
      }
    }
    for (const late of out.late.slice(before.late)) metrics.lateTrades.inc({ product: late.event.productId });
    for (const letter of out.invalid.slice(before.invalid)) metrics.invalidRecords.inc({ reason: letter.reason });
    if (out.gaps > 0) {
      metrics.gapMarkers.inc(out.gaps);
      out.gaps = 0;
    }
    if (out.covered > 0) {
      metrics.coveredRecords.inc(out.covered);
      out.covered = 0;
    }
    if (out.duplicates > 0) {
      metrics.duplicateTrades.inc(out.duplicates);
      out.duplicates = 0;
    }
  }
}
