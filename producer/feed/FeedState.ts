import type { MarketEvent } from '../../wire/MarketEvent.js';
import { TradeDeduplicator } from './TradeDeduplicator.js';

/**
 * What the producer remembers across connections about what it has published: recent trade ids (dedupe),
 * and per product the last event time (where a gap starts) and the highest trade id (to see jumps in
 * consecutive ids). It changes only through {@link commit}, once a frame's events are sure to be published,
 * so that a frame dropped on overflow leaves no trace and its trades are welcome when a snapshot repeats them.
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

  lastTradeId(productId: string): number | null {
    return this.#lastTradeId.get(productId) ?? null;
  }

  /** Records events that are now on their way to Kafka. */
  commit(events: readonly MarketEvent[]): void {
    for (const event of events) {
      const { productId } = event;
      if (event.exchangeTimeUs > (this.#lastEventTimeUs.get(productId) ?? -1)) this.#lastEventTimeUs.set(productId, event.exchangeTimeUs);
      if (event.type !== 'trade') continue;
      this.dedupe.add(productId, event.tradeId);
      const id = Number(event.tradeId);
      if (id > (this.#lastTradeId.get(productId) ?? -1)) this.#lastTradeId.set(productId, id);
    }
  }
}
