import type { MarketEvent } from '../../wire/MarketEvent.js';

const SECOND_US = 1_000_000;

/** A seeded generator: the same seed, the same market. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A deterministic synthetic market as the producer would publish it: per product, trades every 0.2–3 s on a
 * trending random walk, a heartbeat every second, now and then a late trade (its minute already closed) and
 * a gap marker. `startUs` should be recent, so that topic retention keeps the records.
 */
export function syntheticMarket(options: { products: readonly string[]; minutes: number; startUs: number; seed?: number }): MarketEvent[] {
  const next = random(options.seed ?? 42);
  const events: MarketEvent[] = [];
  const endUs = options.startUs + options.minutes * 60 * SECOND_US;
  const base = { v: 1 as const, source: 'coinbase-advanced-trade' as const };
  const state = options.products.map((productId, i) => ({ productId, price: 100 * (i + 1), drift: 0, nextTradeUs: options.startUs, tradeId: 1000 }));
  for (let clock = options.startUs; clock < endUs; clock += SECOND_US) {
    for (const p of state) {
      while (p.nextTradeUs < clock + SECOND_US) {
        if (next() < 0.01) p.drift = (next() - 0.5) * 0.004;
        p.price = Math.max(1, p.price * (1 + p.drift + (next() - 0.5) * 0.003));
        const late = next() < 0.004;
        const timeUs = late ? p.nextTradeUs - 75 * SECOND_US : p.nextTradeUs;
        events.push({
          ...base, type: 'trade', productId: p.productId, exchangeTimeUs: timeUs, receivedAtUs: p.nextTradeUs + 50_000,
          tradeId: String(p.tradeId++), price: p.price.toFixed(2), size: (0.001 + next() * 2).toFixed(6), side: next() < 0.5 ? 'buy' : 'sell', snapshot: false,
        });
        p.nextTradeUs += Math.floor((0.2 + next() * 2.8) * SECOND_US);
      }
      events.push({ ...base, type: 'heartbeat', productId: p.productId, exchangeTimeUs: clock, receivedAtUs: clock + 20_000 });
      if (next() < 0.002) {
        events.push({ ...base, type: 'gap', productId: p.productId, exchangeTimeUs: clock, receivedAtUs: clock, reason: 'reconnect', missed: null, fromExchangeTimeUs: clock - 5 * SECOND_US });
      }
    }
  }
  return events;
}
