import { TradeDeduplicator } from './TradeDeduplicator.js';

/**
 * What the producer remembers across connections: recent trade ids (dedupe), and per product the last event
 * time (the start of a gap) and the highest trade id (to see jumps in consecutive ids).
 */
export class FeedState {
  readonly dedupe: TradeDeduplicator;
  readonly #lastEventTimeUs = new Map<string, number>();
  readonly #lastTradeId = new Map<string, number>();

  constructor(dedupeWindow: number) {
    this.dedupe = new TradeDeduplicator(dedupeWindow);
  }

  lastEventTimeUs(productId: string): number | null {
    return this.#lastEventTimeUs.get(productId) ?? null;
  }

  noteEventTime(productId: string, timeUs: number): void {
    if (timeUs > (this.#lastEventTimeUs.get(productId) ?? -1)) this.#lastEventTimeUs.set(productId, timeUs);
  }

  /**
   * Records a trade id and returns how many consecutive ids were skipped before it (0 when none, or when
   * this is the first id seen or an older one).
   */
  noteTradeId(productId: string, tradeId: number): number {
    const last = this.#lastTradeId.get(productId);
    if (last !== undefined && tradeId <= last) return 0;
    this.#lastTradeId.set(productId, tradeId);
    return last === undefined ? 0 : tradeId - last - 1;
  }
}
