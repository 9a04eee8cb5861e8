import fc from 'fast-check';
import type { GapEvent, HeartbeatEvent, MarketEvent, TradeEvent } from '../../../wire/MarketEvent.js';

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
const T0 = 1_800_000_000 * SECOND_US;

export function trade(productId: string, timeUs: number, price: number, size = 0.5, tradeId = 1): TradeEvent {
  return {
    type: 'trade', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: timeUs, receivedAtUs: timeUs,
    tradeId: String(tradeId), price: String(price), size: String(size), side: 'buy', snapshot: false,
  };
}

export function heartbeat(productId: string, timeUs: number): HeartbeatEvent {
  return { type: 'heartbeat', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: timeUs, receivedAtUs: timeUs };
}

export function gap(productId: string, fromUs: number | null, toUs: number): GapEvent {
  return {
    type: 'gap', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: toUs, receivedAtUs: toUs,
    reason: 'reconnect', missed: null, fromExchangeTimeUs: fromUs,
  };
}

/**
 * Random market streams for one partition: a few products, trades with prices on a random walk, time
 * moving forward in steps of up to 40 s with jitter of −12 s to +3 s (so some events arrive out of order, some
 * within and some beyond a 2 s lateness), heartbeats, quiet stretches and gap markers.
 */
export const marketStream = fc.array(
  fc.record({
    product: fc.constantFrom('BTC-USD', 'ETH-USD', 'SOL-USD'),
    kind: fc.constantFrom('trade', 'trade', 'trade', 'trade', 'heartbeat', 'gap'),
    stepUs: fc.integer({ min: 0, max: 40 * SECOND_US }),
    jitterUs: fc.integer({ min: -12 * SECOND_US, max: 3 * SECOND_US }),
    move: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    size: fc.double({ min: 0.0001, max: 5, noNaN: true }),
  }),
  { minLength: 20, maxLength: 400, size: 'max' },
).map((steps) => {
  let clock = T0;
  let price = 100;
  let id = 1;
  return steps.map((s): MarketEvent => {
    clock += s.stepUs;
    const timeUs = clock + s.jitterUs;
    if (s.kind === 'heartbeat') return heartbeat(s.product, clock);
    if (s.kind === 'gap') return gap(s.product, clock - 10 * SECOND_US, clock);
    price *= 1 + s.move;
    return trade(s.product, timeUs, Number(price.toFixed(2)), Number(s.size.toFixed(6)), id++);
  });
});
