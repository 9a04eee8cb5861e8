import type { Bar } from '../../strategies/Bar.js';

interface OpenBar {
  readonly startUs: number;
  open: number;
  openTimeUs: number;
  high: number;
  low: number;
  close: number;
  closeTimeUs: number;
  volume: number;
  /** Σ price · size (trades) and Σ typical price · volume (candles), for the VWAP. */
  notional: number;
  /** Trades, or candles for a bucket fed by candles. */
  tradeCount: number;
  /**
   * Set on a bucket of the smallest interval fed by candles: the end of the latest candle in it (µs). Such a
   * bucket takes no trades, and a bucket fed by trades takes no candle (trades and candles never count twice).
   */
  candleEndUs?: number;
}

/** What became of a trade or candle offered to the bars. */
export const BAR_INPUT = {
  /** Counted in its bars. */
  added: 0,
  /** The watermark has passed its smallest-interval bar: refused for every interval. */
  late: 1,
  /** Its smallest-interval bucket is fed by the other kind (candles for a trade, trades for a candle): ignored. */
  covered: 2,
  /** A candle starting before the end of the previous candle of its bucket (a repeat, or overlapping): ignored. */
  repeat: 3,
} as const;
export type BarInput = (typeof BAR_INPUT)[keyof typeof BAR_INPUT];

const MAX_GAPS = 16;

/** A stretch of event time in which the producer reported that data may be missing. */
interface GapRange {
  readonly fromUs: number;
  readonly toUs: number;
}

/** One interval's bars in progress. */
interface IntervalState {
  readonly nextStartUs: number | null;
  readonly lastClose: number | null;
  readonly open: OpenBar[];
}

export interface ProductBarsState {
  /** By interval in µs: matched by meaning, never by position. */
  readonly intervals: Readonly<Record<string, IntervalState>>;
  readonly gaps: GapRange[];
}

/**
 * The event-time OHLCV bars of one product, for every interval at once: the window step. Trades go into the
 * open bucket of each interval (`floor(t / interval)`, aligned to the Unix epoch); `closeUpTo(watermark)`
 * emits every bar whose end the watermark has passed, in time order, including bars without trades once the
 * product has traded (they carry the last close and zero volume, so that each interval's bars are
 * contiguous). A trade whose smallest-interval bucket the watermark has passed is late: it is refused for
 * every interval (intervals nest, so it would be late for every one of them), never merged into a bar. A bar
 * is `complete` unless it is the first of its interval (it starts before this state saw its first trade) or a
 * gap range overlaps it. State is bounded: the open buckets between
 * the watermark and the newest event, and the gap ranges not yet passed.
 */
export class ProductBars {
  readonly productId: string;
  readonly intervalsUs: readonly number[];
  /** Per interval: start of the next bar to emit; null until the product's first trade. */
  readonly #nextStartUs: (number | null)[];
  readonly #lastClose: (number | null)[];
  /** Per interval: open buckets by start, few (those between the watermark and the newest event). */
  readonly #open: Map<number, OpenBar>[];
  #gaps: GapRange[];

  constructor(productId: string, intervalsUs: readonly number[], state?: ProductBarsState) {
    this.productId = productId;
    this.intervalsUs = intervalsUs;
    const saved = intervalsUs.map((intervalUs) => state?.intervals[String(intervalUs)]);
    this.#nextStartUs = saved.map((s) => s?.nextStartUs ?? null);
    this.#lastClose = saved.map((s) => s?.lastClose ?? null);
    this.#open = saved.map((s) => new Map((s?.open ?? []).map((bar) => [bar.startUs, { ...bar }])));
    this.#gaps = state?.gaps.slice() ?? [];
  }

  /** Open buckets across intervals (for tests of boundedness). */
  get openBuckets(): number {
    return this.#open.reduce((n, m) => n + m.size, 0);
  }

  /**
   * Adds a trade. `late` when the watermark has passed the end of its smallest-interval bar (that bar was
   * emitted, or, for a product whose first bar is still open, could have been); `covered` when candles feed
   * that bucket. A trade before the product's first one but within the lateness opens an earlier first bar.
   */
  addTrade(timeUs: number, price: number, size: number, watermarkUs: number): BarInput {
    const smallest = this.intervalsUs[0] as number;
    const smallestStartUs = Math.floor(timeUs / smallest) * smallest;
    if (smallestStartUs + smallest <= watermarkUs) return BAR_INPUT.late;
    for (let i = 0; i < this.intervalsUs.length; i++) {
      const intervalUs = this.intervalsUs[i] as number;
      const startUs = i === 0 ? smallestStartUs : Math.floor(timeUs / intervalUs) * intervalUs;
      const buckets = this.#open[i] as Map<number, OpenBar>;
      const bar = buckets.get(startUs);
      // Checked on the smallest interval, first, before anything changed: candles feed this bucket.
      if (bar?.candleEndUs !== undefined) return BAR_INPUT.covered;
      const next = this.#nextStartUs[i];
      // Only before this interval's first bar is emitted can a bucket start before the next one to emit.
      if (next === null || next === undefined || startUs < next) this.#nextStartUs[i] = startUs;
      if (bar === undefined) {
        buckets.set(startUs, {
          startUs, open: price, openTimeUs: timeUs, high: price, low: price, close: price, closeTimeUs: timeUs,
          volume: size, notional: price * size, tradeCount: 1,
        });
        continue;
      }
      // Within lateness, trades may arrive out of event-time order: open and close follow event time
      // (ties keep arrival order), so the result does not depend on the order inside a bucket.
      if (timeUs < bar.openTimeUs) {
        bar.open = price;
        bar.openTimeUs = timeUs;
      }
      if (timeUs >= bar.closeTimeUs) {
        bar.close = price;
        bar.closeTimeUs = timeUs;
      }
      if (price > bar.high) bar.high = price;
      if (price < bar.low) bar.low = price;
      bar.volume += size;
      bar.notional += price * size;
      bar.tradeCount += 1;
    }
    return BAR_INPUT.added;
  }

  /**
   * Adds a candle of `[startUs, startUs + granularityUs)` (its granularity divides the smallest interval and
   * its start is aligned to it: EngineCore checks). It feeds every interval's bucket holding it as the trades it
   * aggregates would: open from the earliest candle, close from the latest, high and low the extremes, volume
   * summed, and `Σ (high + low + close) / 3 · volume` towards the VWAP (the typical price stands for the trades'
   * prices); `tradeCount` counts candles. Late as a trade at its start would be; ignored (`covered`) when trades
   * already feed its smallest-interval bucket, or (`repeat`) when it starts before the end of the previous
   * candle of that bucket. The volume must be positive (a candle without trades is an empty minute).
   */
  addCandle(startUs: number, granularityUs: number, open: number, high: number, low: number, close: number, volume: number, watermarkUs: number): BarInput {
    const smallest = this.intervalsUs[0] as number;
    const smallestStartUs = Math.floor(startUs / smallest) * smallest;
    if (smallestStartUs + smallest <= watermarkUs) return BAR_INPUT.late;
    const first = (this.#open[0] as Map<number, OpenBar>).get(smallestStartUs);
    if (first !== undefined) {
      if (first.candleEndUs === undefined) return BAR_INPUT.covered;
      if (startUs < first.candleEndUs) return BAR_INPUT.repeat;
    }
    const endUs = startUs + granularityUs;
    const notional = ((high + low + close) / 3) * volume;
    for (let i = 0; i < this.intervalsUs.length; i++) {
      const intervalUs = this.intervalsUs[i] as number;
      const bucketUs = Math.floor(startUs / intervalUs) * intervalUs;
      const next = this.#nextStartUs[i];
      if (next === null || next === undefined || bucketUs < next) this.#nextStartUs[i] = bucketUs;
      const buckets = this.#open[i] as Map<number, OpenBar>;
      const bar = buckets.get(bucketUs);
      if (bar === undefined) {
        buckets.set(bucketUs, {
          startUs: bucketUs, open, openTimeUs: startUs, high, low, close, closeTimeUs: startUs, volume, notional, tradeCount: 1,
          ...(i === 0 ? { candleEndUs: endUs } : {}),
        });
        continue;
      }
      if (startUs < bar.openTimeUs) {
        bar.open = open;
        bar.openTimeUs = startUs;
      }
      if (startUs >= bar.closeTimeUs) {
        bar.close = close;
        bar.closeTimeUs = startUs;
      }
      if (high > bar.high) bar.high = high;
      if (low < bar.low) bar.low = low;
      bar.volume += volume;
      bar.notional += notional;
      bar.tradeCount += 1;
      if (i === 0) bar.candleEndUs = endUs;
    }
    return BAR_INPUT.added;
  }

  /**
   * Data may be missing between these event times: bars overlapping them are marked incomplete. At most
   * `MAX_GAPS` ranges are kept (the oldest merge), so a product that never trades cannot grow the list.
   */
  markGap(fromUs: number | null, toUs: number): void {
    this.#gaps.push({ fromUs: fromUs ?? Number.MIN_SAFE_INTEGER, toUs });
    if (this.#gaps.length > MAX_GAPS) {
      const [a, b, ...rest] = this.#gaps as [GapRange, GapRange, ...GapRange[]];
      this.#gaps = [{ fromUs: Math.min(a.fromUs, b.fromUs), toUs: Math.max(a.toUs, b.toUs) }, ...rest];
    }
  }

  /** Emits, per interval in ascending order, every bar that ends at or before the watermark. */
  closeUpTo(watermarkUs: number): Bar[] {
    const bars: Bar[] = [];
    this.intervalsUs.forEach((intervalUs, i) => {
      const first = this.#nextStartUs[i] ?? null;
      if (first === null) return;
      let startUs: number = first;
      const buckets = this.#open[i] as Map<number, OpenBar>;
      while (startUs + intervalUs <= watermarkUs) {
        const endUs = startUs + intervalUs;
        const open = buckets.get(startUs);
        buckets.delete(startUs);
        const lastClose = this.#lastClose[i] ?? null;
        // The first bar after a start is partial by construction; a gap touches the bars it overlaps (one
        // that ends where a bar starts does not: its end is the first event after the missing data).
        const complete = lastClose !== null && !this.#gaps.some((g) => g.fromUs < endUs && g.toUs > startUs);
        if (open !== undefined) {
          bars.push({
            productId: this.productId, intervalUs, startUs, endUs, open: open.open, high: open.high, low: open.low,
            close: open.close, volume: open.volume, vwap: open.notional / open.volume, tradeCount: open.tradeCount, complete,
          });
          this.#lastClose[i] = open.close;
        } else if (lastClose !== null) {
          bars.push({
            productId: this.productId, intervalUs, startUs, endUs, open: lastClose, high: lastClose, low: lastClose,
            close: lastClose, volume: 0, vwap: lastClose, tradeCount: 0, complete,
          });
        }
        startUs = endUs;
      }
      this.#nextStartUs[i] = startUs;
    });
    // A gap no bar can overlap any more is forgotten.
    const emittedUpTo = Math.min(...this.#nextStartUs.map((s) => s ?? Number.MIN_SAFE_INTEGER));
    this.#gaps = this.#gaps.filter((g) => g.toUs >= emittedUpTo);
    return bars;
  }

  snapshot(): ProductBarsState {
    const intervals: Record<string, IntervalState> = {};
    this.intervalsUs.forEach((intervalUs, i) => {
      intervals[String(intervalUs)] = {
        nextStartUs: this.#nextStartUs[i] ?? null, lastClose: this.#lastClose[i] ?? null,
        open: [...(this.#open[i] as Map<number, OpenBar>).values()].map((bar) => ({ ...bar })),
      };
    });
    return { intervals, gaps: this.#gaps.slice() };
  }
}
