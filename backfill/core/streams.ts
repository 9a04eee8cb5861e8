import type { CandleEvent, MarketEvent, TradeEvent } from '../../wire/MarketEvent.js';

/**
 * A stream is what one product's history is resumed and ordered by: its candles of one granularity, or its
 * trades. Each stream is written in event-time order (candle start; trade id, which grows with time per
 * product on Coinbase), so its last record on the topic is where the next run resumes.
 */
export type StreamKind = { readonly kind: 'candle'; readonly granularityS: number } | { readonly kind: 'trade' };

export function streamKey(productId: string, stream: StreamKind): string {
  return stream.kind === 'candle' ? `${productId} candle ${stream.granularityS}` : `${productId} trade`;
}

/** The stream of a history event; null for events backfill never writes (quotes, gaps, heartbeats). */
export function streamOf(event: MarketEvent): StreamKind | null {
  if (event.type === 'candle') return { kind: 'candle', granularityS: event.granularityS };
  if (event.type === 'trade') return { kind: 'trade' };
  return null;
}

/** The last event written to a stream: the next run takes only what comes after it. */
export interface ResumePoint {
  readonly timeUs: number;
  /** The trade id, for trade streams. */
  readonly tradeId: string | null;
}

/** `a` before `b` in a stream's order: candles by start, trades by id (numerically), -1, 0 or 1. */
export function compareInStream(a: ResumePoint, b: ResumePoint): number {
  if (a.tradeId !== null && b.tradeId !== null) {
    const [x, y] = [BigInt(a.tradeId), BigInt(b.tradeId)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Math.sign(a.timeUs - b.timeUs);
}

export function pointOf(event: CandleEvent | TradeEvent): ResumePoint {
  return { timeUs: event.exchangeTimeUs, tradeId: event.type === 'trade' ? event.tradeId : null };
}

/** The resume point of every stream present in `events` (a topic's records in offset order): the furthest of each. */
export function resumePoints(events: Iterable<MarketEvent>): Map<string, ResumePoint> {
  const points = new Map<string, ResumePoint>();
  for (const event of events) {
    if (event.type !== 'candle' && event.type !== 'trade') continue;
    const key = streamKey(event.productId, event.type === 'candle' ? { kind: 'candle', granularityS: event.granularityS } : { kind: 'trade' });
    const point = pointOf(event);
    const known = points.get(key);
    if (known === undefined || compareInStream(point, known) > 0) points.set(key, point);
  }
  return points;
}

export type Admission = 'new' | 'written' | 'duplicate' | 'out_of_order';

/**
 * Decides, event by event in the order they come, what a stream may take: `new` (after everything written),
 * `written` (at or before the resume point: an earlier run wrote it; skipped, counted), `duplicate` (the same
 * position as the last one taken in this run) or `out_of_order` (before it). Only `new` events are written,
 * so the topic never holds an event twice and each stream stays in order.
 */
export class StreamGate {
  readonly #resume: ResumePoint | null;
  #last: ResumePoint | null = null;

  constructor(resume: ResumePoint | null) {
    this.#resume = resume;
  }

  admit(event: CandleEvent | TradeEvent): Admission {
    const point = pointOf(event);
    if (this.#resume !== null && compareInStream(point, this.#resume) <= 0) return 'written';
    if (this.#last !== null) {
      const order = compareInStream(point, this.#last);
      if (order === 0) return 'duplicate';
      if (order < 0) return 'out_of_order';
    }
    this.#last = point;
    return 'new';
  }

  get last(): ResumePoint | null {
    return this.#last ?? this.#resume;
  }
}
