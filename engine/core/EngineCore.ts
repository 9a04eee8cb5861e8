import type { MarketEvent } from '../../wire/MarketEvent.js';
import { decodeMarketEvent, WireDecodeError } from '../../wire/marketEventCodec.js';
import type { EngineSettings } from './EngineSettings.js';
import type { EngineOutputs } from './outputs.js';
import { PartitionProcessor, type PartitionMeta, type ProductState } from './PartitionProcessor.js';

/** A consumed record: where it is in its topic, its bytes, and its Kafka timestamp. */
export interface EngineRecord {
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer | null;
  readonly timestampMs: number;
  /** The record's key (the product id on prices.normalized), when the source has it. */
  readonly key?: string | null;
}

export interface PartitionSnapshot {
  readonly meta: PartitionMeta;
  readonly products: ReadonlyMap<string, ProductState>;
  /** Products whose state is dormant in the store (evicted while idle). */
  readonly dormant?: readonly string[];
}

/**
 * A candle the engine cannot build the configured bars from: its granularity does not divide the smallest
 * interval (bars finer than the data), or its start is not aligned to its granularity. Thrown instead of
 * dead-lettered when the core was asked to (`refuseUnusableCandles`: a replay, which must fail rather than
 * compute bars with holes).
 */
export class UnusableCandleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableCandleError';
  }
}

export interface EngineCoreOptions {
  /** Throw {@link UnusableCandleError} on a candle that cannot build the bars, instead of dead-lettering it. */
  readonly refuseUnusableCandles?: boolean;
  /**
   * Skip, and count in {@link EngineCore.skippedCandles}, a candle coarser than the bars (its granularity
   * does not divide the smallest interval) instead of refusing or dead-lettering it: history may hold several
   * granularities of a product side by side (`backfill --candles 1m,1h`), and a replay uses those that build
   * its bars. A misaligned candle is still refused or dead-lettered.
   */
  readonly skipCoarseCandles?: boolean;
}

/** Candles of one product and granularity skipped as coarser than the bars ({@link EngineCoreOptions.skipCoarseCandles}). */
export interface SkippedCandles {
  readonly productId: string;
  readonly granularityS: number;
  /** Why, e.g. `a 1h candle cannot build 1m bars`. */
  readonly problem: string;
  count: number;
  /** Whether any other record of the product (a trade, a finer candle) was processed: its bars were built from those. */
  otherData: boolean;
}

const formatInterval = (us: number) => (us % 3_600_000_000 === 0 ? `${us / 3_600_000_000}h` : us % 60_000_000 === 0 ? `${us / 60_000_000}m` : `${us / 1_000_000}s`);

/**
 * The engine's pure, synchronous core: records of the partitions it owns in, outputs out. It never reads a
 * clock and does no I/O, so the same records give the same results live and in replay. State is keyed by
 * partition (every product lives in one), so a partition can move to another engine with its snapshot.
 */
export class EngineCore {
  readonly settings: EngineSettings;
  readonly #origin: string;
  readonly #options: EngineCoreOptions;
  readonly #partitions = new Map<number, PartitionProcessor>();
  readonly #skipped = new Map<string, SkippedCandles>();
  /** With `skipCoarseCandles`: the products of which a record was processed. */
  readonly #processedProducts = new Set<string>();
  readonly #seenProducts = new Set<string>();

  /** `origin`: the topic records come from, named in dead letters. */
  constructor(settings: EngineSettings, origin: string, options: EngineCoreOptions = {}) {
    this.settings = settings;
    this.#origin = origin;
    this.#options = options;
  }

  get partitions(): ReadonlyMap<number, PartitionProcessor> {
    return this.#partitions;
  }

  /** The candles skipped as coarser than the bars, per product and granularity (`skipCoarseCandles`), of the selected products. */
  get skippedCandles(): readonly SkippedCandles[] {
    return [...this.#skipped.values()].map((s) => ({ ...s, otherData: this.#processedProducts.has(s.productId) }));
  }

  /**
   * The products of which a record was decoded, selected or not, whatever became of it: a replay tells a
   * selected product that had no record in its range (nothing to report on) from one whose records built nothing.
   */
  get productsSeen(): ReadonlySet<string> {
    return this.#seenProducts;
  }

  /** Takes ownership of a partition, from its checkpoint or from nothing. */
  assign(partition: number, snapshot?: PartitionSnapshot): void {
    this.#partitions.set(partition, new PartitionProcessor(this.settings, partition, snapshot?.meta, snapshot?.products, snapshot?.dormant));
  }

  /** Writes the rows of a partition held back by `EngineSettings.recordEveryUs` (see `PartitionProcessor.recordLatest`). */
  recordLatest(partition: number, out: EngineOutputs): void {
    this.#partitions.get(partition)?.recordLatest(out);
  }

  /** Forgets a partition (another engine owns it now, or its state will be reloaded). */
  revoke(partition: number): void {
    this.#partitions.delete(partition);
  }

  /**
   * The products of these records whose dormant state must be restored (`PartitionProcessor.restore`) before
   * they are processed; records are keyed by product.
   */
  dormantAmong(partition: number, records: readonly EngineRecord[]): string[] {
    const processor = this.#partitions.get(partition);
    if (processor === undefined) return [];
    const ids = new Set<string>();
    for (const record of records) if (record.key !== null && record.key !== undefined && processor.needsRestore(record.key)) ids.add(record.key);
    return [...ids];
  }

  /**
   * Processes one record; returns its event, or null when it was dead-lettered: it could not be decoded, or
   * its exchange time is more than `maxClockSkewUs` ahead of its own receipt time (both are in the record,
   * so a replay decides the same; one such record would otherwise move the watermark hours ahead), or it is a
   * candle that cannot build the configured bars (`candle_granularity`: its granularity does not divide the
   * smallest interval, or its start is not aligned to it; it moves nothing). Also null for a candle skipped as
   * coarser than the bars (`skipCoarseCandles`).
   */
  process(record: EngineRecord, out: EngineOutputs): MarketEvent | null {
    const processor = this.#partitions.get(record.partition);
    if (processor === undefined) throw new Error(`partition ${record.partition} is not assigned to this engine`);
    let event: MarketEvent;
    try {
      event = decodeMarketEvent(record.value ?? Buffer.alloc(0));
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      this.#deadLetter(record, 'undecodable', error.reason, out);
      return null;
    }
    this.#seenProducts.add(event.productId);
    const aheadUs = event.exchangeTimeUs - event.receivedAtUs;
    if (aheadUs > this.settings.maxClockSkewUs) {
      this.#deadLetter(record, 'clock_skew', `exchange time ${aheadUs / 1e6} s ahead of receipt (bound ${this.settings.maxClockSkewUs / 1e6} s)`, out);
      return null;
    }
    const skipping = this.#options.skipCoarseCandles === true;
    if (event.type === 'candle') {
      const granularityUs = event.granularityS * 1_000_000;
      const smallestUs = this.settings.intervalsUs[0] as number;
      if (skipping && smallestUs % granularityUs !== 0) {
        if (this.settings.products === null || this.settings.products.has(event.productId)) {
          const key = `${event.productId} ${event.granularityS}`;
          const skipped = this.#skipped.get(key) ?? {
            productId: event.productId, granularityS: event.granularityS, count: 0, otherData: false,
            problem: `a ${formatInterval(granularityUs)} candle cannot build ${formatInterval(smallestUs)} bars`,
          };
          skipped.count += 1;
          this.#skipped.set(key, skipped);
        }
        return null;
      }
      const problem = smallestUs % granularityUs !== 0
        ? `a ${formatInterval(granularityUs)} candle cannot build ${formatInterval(smallestUs)} bars: every ENGINE_INTERVALS interval must be a multiple of the data's granularity (${event.granularityS} s)`
        : event.exchangeTimeUs % granularityUs !== 0 ? `the candle's start ${event.exchangeTimeUs} µs is not aligned to its granularity (${event.granularityS} s)` : null;
      if (problem !== null) {
        if (this.#options.refuseUnusableCandles === true) {
          throw new UnusableCandleError(`${event.productId} candle at ${new Date(event.exchangeTimeUs / 1000).toISOString()} (partition ${record.partition} offset ${record.offset}): ${problem}`);
        }
        this.#deadLetter(record, 'candle_granularity', problem, out);
        return null;
      }
    }
    processor.process(event, record.offset, out);
    if (skipping) this.#processedProducts.add(event.productId);
    return event;
  }

  #deadLetter(record: EngineRecord, reason: 'undecodable' | 'clock_skew' | 'candle_granularity', detail: string, out: EngineOutputs): void {
    out.invalid.push({
      reason, detail, origin: this.#origin, connectionId: `partition ${record.partition} offset ${record.offset}`,
      receivedAtUs: record.timestampMs * 1000, payload: record.value ?? Buffer.alloc(0),
    });
  }
}
