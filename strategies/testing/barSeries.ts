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

/**
 * Bars one minute apart where `null` is a bar without trades: volume 0, every price the previous close carried
 * forward, as the engine builds empty bars.
 */
export function barsWithEmpty(closes: readonly (number | null)[], productId = 'BTC-USD'): Bar[] {
  let last = Number.NaN;
  return closes.map((close, i) => {
    const traded = close !== null;
    const price = close ?? last;
    const open = i === 0 || !traded ? price : last;
    last = price;
    return {
      productId, intervalUs: MINUTE_US, startUs: i * MINUTE_US, endUs: (i + 1) * MINUTE_US, open, high: Math.max(open, price), low: Math.min(open, price),
      close: price, volume: traded ? 1 : 0, vwap: price, tradeCount: traded ? 1 : 0, complete: true,
    };
  });
}

/** The bars with runs of empty bars (the previous close carried forward, volume 0) inserted after some of them. */
export function withEmptyRuns(bars: readonly Bar[], runs: readonly number[]): Bar[] {
  return bars.flatMap((bar, i) => {
    const empty: Bar = { ...bar, open: bar.close, high: bar.close, low: bar.close, volume: 0, vwap: bar.close, tradeCount: 0 };
    return [bar, ...Array.from({ length: runs[i % Math.max(runs.length, 1)] ?? 0 }, () => empty)];
  });
}

/** Random-walk bar series: trending, choppy and flat stretches, so that strategies trade. */
export const barSeries = fc.array(fc.double({ min: -0.03, max: 0.03, noNaN: true }), { minLength: 0, maxLength: 400 })
  .map((steps) => {
    let price = 100;
    return barsFromCloses(steps.map((step) => (price *= 1 + step)));
  });
