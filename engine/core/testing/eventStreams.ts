import fc from 'fast-check';
import type { CandleEvent, GapEvent, HeartbeatEvent, MarketEvent, TradeEvent } from '../../../wire/MarketEvent.js';

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
const T0 = 1_800_000_000 * SECOND_US;

export function trade(productId: string, timeUs: number, price: number, size = 0.5, tradeId = 1): TradeEvent {
  return {
    type: 'trade', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: timeUs, receivedAtUs: timeUs,
    tradeId: String(tradeId), price: String(price), size: String(size), side: 'buy', snapshot: false,
  };
}

/** A candle of `[startUs, startUs + granularityS)`, as the backfill writes it (received a minute after its end). */
export function candle(productId: string, startUs: number, ohlcv: readonly [number, number, number, number, number], granularityS = 60): CandleEvent {
  const [open, high, low, close, volume] = ohlcv;
  return {
    type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: startUs, receivedAtUs: startUs + (granularityS + 60) * SECOND_US,
    granularityS, open: String(open), high: String(high), low: String(low), close: String(close), volume: String(volume),
  };
}

/**
 * The candles Coinbase would publish for these trades, per product: one per `granularityS` bucket (aligned to
 * the Unix epoch) that has trades, none for the others; open the first trade by time, close the last, high
 * and low the extremes, volume the sum of sizes (rounded to 10 decimals, as a decimal string carries it).
 * Ordered by product's first appearance, then by start.
 */
export function candlesOf(trades: readonly TradeEvent[], granularityS = 60): CandleEvent[] {
  const g = granularityS * SECOND_US;
  const buckets = new Map<string, Map<number, TradeEvent[]>>();
  for (const t of trades) {
    const byStart = buckets.get(t.productId) ?? new Map<number, TradeEvent[]>();
    buckets.set(t.productId, byStart);
    const start = Math.floor(t.exchangeTimeUs / g) * g;
    byStart.set(start, [...(byStart.get(start) ?? []), t]);
  }
  return [...buckets].flatMap(([productId, byStart]) => [...byStart].sort(([a], [b]) => a - b).map(([start, list]) => {
    // Stable: on equal times the first listed opens and the last listed closes, as the engine orders trades.
    const sorted = list.map((t, i) => ({ t, i })).sort((a, b) => a.t.exchangeTimeUs - b.t.exchangeTimeUs || a.i - b.i).map((x) => x.t);
    const prices = sorted.map((t) => Number(t.price));
    const volume = Number(sorted.reduce((v, t) => v + Number(t.size), 0).toFixed(10));
    return candle(productId, start, [prices[0] as number, Math.max(...prices), Math.min(...prices), prices.at(-1) as number, volume], granularityS);
  }));
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
