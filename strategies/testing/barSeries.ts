import fc from 'fast-check';
import type { Bar } from '../Bar.js';

const MINUTE_US = 60_000_000;

/** Bars closing at the given prices, one minute apart, for tests. */
export function barsFromCloses(closes: readonly number[], productId = 'BTC-USD'): Bar[] {
  return closes.map((close, i) => ({
    productId, intervalUs: MINUTE_US, startUs: i * MINUTE_US, endUs: (i + 1) * MINUTE_US,
    open: i === 0 ? close : (closes[i - 1] as number), high: close, low: close, close, volume: 1, vwap: close,
    tradeCount: 1, complete: true,
  }));
}

/** Random-walk bar series: trending, choppy and flat stretches, so that strategies trade. */
export const barSeries = fc.array(fc.double({ min: -0.03, max: 0.03, noNaN: true }), { minLength: 0, maxLength: 400 })
  .map((steps) => {
    let price = 100;
    return barsFromCloses(steps.map((step) => (price *= 1 + step)));
  });
