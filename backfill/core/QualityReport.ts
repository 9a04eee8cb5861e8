import type { DeadLetterReason } from '../../wire/deadLetterRecord.js';
import type { CandleEvent, TradeEvent } from '../../wire/MarketEvent.js';
import type { StreamKind } from './streams.js';

/** The data quality of one stream over a range; counts are exact. */
export interface QualitySummary {
  readonly productId: string;
  readonly kind: 'candle' | 'trade';
  /** Candle length, or 60 for trades (whose coverage is counted in minutes). */
  readonly intervalS: number;
  readonly fromUs: number;
  readonly toUs: number;
  /** Events taken (written, or read by `--check`). */
  readonly events: number;
  readonly firstTimeUs: number | null;
  readonly lastTimeUs: number | null;
  /** Intervals in [from, to). */
  readonly intervals: number;
  /** Intervals holding at least one event. */
  readonly intervalsWithData: number;
  /** `intervalsWithData / intervals` (1 for an empty range). */
  readonly coverage: number;
  /** Missing intervals where Coinbase answered without them: nothing traded. */
  readonly missingNoTrades: number;
  /** Missing intervals that were never fetched (a request failed after its retries, or the run stopped). */
  readonly missingNotFetched: number;
  /** Events skipped because an earlier run had written them. */
  readonly alreadyWritten: number;
  /** Records dead-lettered, by reason (`schema`, `out_of_range`, `duplicate`, `out_of_order`). */
  readonly rejected: Readonly<Partial<Record<DeadLetterReason, number>>>;
}

/**
 * Accumulates the quality of one stream over [fromUs, toUs): which intervals hold data, what was rejected
 * and why, and how far the source was read. Intervals without data before `loadedFromUs` or at or after
 * `loadedUntilUs` were not fetched; those between were answered without data (Coinbase omits candles of
 * intervals without trades). A run sets both from what it requested; `--check` from the first and last event
 * on the topic, since a stream is written contiguously and in order, so every gap inside it is Coinbase's.
 */
export class QualityReport {
  readonly #productId: string;
  readonly #kind: 'candle' | 'trade';
  readonly #intervalUs: number;
  readonly #fromUs: number;
  readonly #toUs: number;
  readonly #withData = new Set<number>();
  #events = 0;
  #first: number | null = null;
  #last: number | null = null;
  #alreadyWritten = 0;
  readonly #rejected: Partial<Record<DeadLetterReason, number>> = {};
  #loadedFromUs: number;
  #loadedUntilUs: number;

  constructor(productId: string, stream: StreamKind, fromUs: number, toUs: number) {
    this.#productId = productId;
    this.#kind = stream.kind;
    this.#intervalUs = (stream.kind === 'candle' ? stream.granularityS : 60) * 1_000_000;
    this.#fromUs = Math.ceil(fromUs / this.#intervalUs) * this.#intervalUs;
    this.#toUs = Math.max(this.#fromUs, Math.floor(toUs / this.#intervalUs) * this.#intervalUs);
    this.#loadedFromUs = this.#fromUs;
    this.#loadedUntilUs = this.#fromUs;
  }

  taken(event: CandleEvent | TradeEvent): void {
    this.#events += 1;
    const t = event.exchangeTimeUs;
    this.#first = this.#first === null ? t : Math.min(this.#first, t);
    this.#last = this.#last === null ? t : Math.max(this.#last, t);
    this.#mark(t);
  }

  rejected(reason: DeadLetterReason): void {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
  }

  /** An event an earlier run wrote: skipped, but its interval has data. */
  alreadyWritten(event: CandleEvent | TradeEvent): void {
    this.#alreadyWritten += 1;
    this.#mark(event.exchangeTimeUs);
  }

  #mark(t: number): void {
    if (t >= this.#fromUs && t < this.#toUs) this.#withData.add(Math.floor((t - this.#fromUs) / this.#intervalUs));
  }

  /** The source was read, without failure, over [fromUs, untilUs). */
  loaded(fromUs: number, untilUs: number): void {
    this.#loadedFromUs = fromUs;
    this.#loadedUntilUs = untilUs;
  }

  summary(): QualitySummary {
    const intervals = Math.round((this.#toUs - this.#fromUs) / this.#intervalUs);
    const index = (us: number) => Math.min(intervals, Math.max(0, Math.ceil((us - this.#fromUs) / this.#intervalUs)));
    const [loadedFrom, loadedUntil] = [index(this.#loadedFromUs), index(Math.max(this.#loadedFromUs, this.#loadedUntilUs))];
    let missingNoTrades = 0;
    for (let i = loadedFrom; i < loadedUntil; i++) if (!this.#withData.has(i)) missingNoTrades += 1;
    const missing = intervals - this.#withData.size;
    return {
      productId: this.#productId, kind: this.#kind, intervalS: this.#intervalUs / 1_000_000, fromUs: this.#fromUs, toUs: this.#toUs,
      events: this.#events, firstTimeUs: this.#first, lastTimeUs: this.#last, intervals, intervalsWithData: this.#withData.size,
      coverage: intervals === 0 ? 1 : this.#withData.size / intervals, missingNoTrades, missingNotFetched: missing - missingNoTrades,
      alreadyWritten: this.#alreadyWritten, rejected: { ...this.#rejected },
    };
  }
}
