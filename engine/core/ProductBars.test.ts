import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../strategies/Bar.js';
import { BAR_INPUT, ProductBars, type ProductBarsState } from './ProductBars.js';
import { MINUTE_US, SECOND_US } from './testing/eventStreams.js';

const T0 = 1_800_000_000 * SECOND_US;
const INTERVALS = [MINUTE_US, 5 * MINUTE_US];

/** Random trades for one product, in mostly increasing time, and the watermark after each (2 s lateness). */
const trades = fc.array(fc.record({
  stepUs: fc.integer({ min: 0, max: 50 * SECOND_US }),
  jitterUs: fc.integer({ min: -4 * SECOND_US, max: 0 }),
  price: fc.integer({ min: 9000, max: 11000 }).map((p) => p / 100),
  size: fc.integer({ min: 1, max: 100_000 }).map((s) => s / 10_000),
}), { maxLength: 300, size: 'max' });

interface Run { bars: Bar[]; accepted: { timeUs: number; price: number; size: number }[]; late: number }

function run(steps: readonly { stepUs: number; jitterUs: number; price: number; size: number }[], splitAt = -1): Run {
  let bars = new ProductBars('BTC-USD', INTERVALS);
  const out: Run = { bars: [], accepted: [], late: 0 };
  let clock = T0;
  let maxUs = Number.MIN_SAFE_INTEGER;
  steps.forEach((s, i) => {
    if (i === splitAt) bars = new ProductBars('BTC-USD', INTERVALS, JSON.parse(JSON.stringify(bars.snapshot())) as ProductBarsState);
    clock += s.stepUs;
    const timeUs = clock + s.jitterUs;
    if (bars.addTrade(timeUs, s.price, s.size, maxUs - 2 * SECOND_US) === BAR_INPUT.added) out.accepted.push({ timeUs, price: s.price, size: s.size });
    else out.late += 1;
    maxUs = Math.max(maxUs, timeUs);
    out.bars.push(...bars.closeUpTo(maxUs - 2 * SECOND_US));
  });
  out.bars.push(...bars.closeUpTo(clock + 10 * MINUTE_US));
  return out;
}

describe('ProductBars (the window step)', () => {
  it('keeps every bar\'s open and close between its low and high', () => {
    fc.assert(fc.property(trades, (steps) => {
      for (const bar of run(steps).bars) {
        expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
        expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
        expect(bar.vwap).toBeGreaterThanOrEqual(bar.low - 1e-9);
        expect(bar.vwap).toBeLessThanOrEqual(bar.high + 1e-9);
      }
    }));
  });

  it('conserves volume and trade count: every accepted trade is in exactly one bar per interval', () => {
    fc.assert(fc.property(trades, (steps) => {
      const { bars, accepted } = run(steps);
      for (const intervalUs of INTERVALS) {
        const mine = bars.filter((b) => b.intervalUs === intervalUs);
        expect(mine.reduce((n, b) => n + b.tradeCount, 0)).toBe(accepted.length);
        expect(mine.reduce((v, b) => v + b.volume, 0)).toBeCloseTo(accepted.reduce((v, t) => v + t.size, 0), 9);
      }
    }));
  });

  it('emits contiguous bars per interval, flat bars carrying the last close where nothing traded', () => {
    fc.assert(fc.property(trades, (steps) => {
      for (const intervalUs of INTERVALS) {
        const mine = run(steps).bars.filter((b) => b.intervalUs === intervalUs);
        mine.forEach((bar, i) => {
          expect(bar.endUs - bar.startUs).toBe(intervalUs);
          expect(bar.startUs % intervalUs).toBe(0);
          if (i > 0) expect(bar.startUs, 'contiguous').toBe(mine[i - 1]!.endUs);
          if (bar.tradeCount === 0) expect([bar.open, bar.high, bar.low, bar.close, bar.volume]).toEqual([mine[i - 1]!.close, mine[i - 1]!.close, mine[i - 1]!.close, mine[i - 1]!.close, 0]);
        });
      }
    }));
  });

  it('nests intervals: the 1-minute bars of a 5-minute bar add up to it', () => {
    fc.assert(fc.property(trades, (steps) => {
      const { bars } = run(steps);
      for (const big of bars.filter((b) => b.intervalUs === 5 * MINUTE_US)) {
        const small = bars.filter((b) => b.intervalUs === MINUTE_US && b.startUs >= big.startUs && b.endUs <= big.endUs);
        expect(small.reduce((n, b) => n + b.tradeCount, 0)).toBe(big.tradeCount);
        if (big.tradeCount > 0) {
          expect(Math.max(...small.map((b) => b.high))).toBe(big.high);
          expect(Math.min(...small.map((b) => b.low))).toBe(big.low);
        }
      }
    }));
  });

  it('gives the same bars when the run is split at any point through a JSON snapshot', () => {
    fc.assert(fc.property(trades, fc.nat(), (steps, cut) => {
      expect(run(steps, cut % (steps.length + 1))).toEqual(run(steps));
    }));
  });

  it('refuses a trade whose bar was already emitted, and counts it', () => {
    const bars = new ProductBars('BTC-USD', INTERVALS);
    bars.addTrade(T0 + 10 * SECOND_US, 100, 1, T0);
    expect(bars.closeUpTo(T0 + MINUTE_US)).toHaveLength(1);
    expect(bars.addTrade(T0 + 59 * SECOND_US, 101, 1, T0 + MINUTE_US), 'its 1-minute bar is out').toBe(BAR_INPUT.late);
    expect(bars.addTrade(T0 + MINUTE_US, 102, 1, T0 + MINUTE_US)).toBe(BAR_INPUT.added);
  });

  it('accepts, at a fresh start, a trade before the product\'s first one but within the lateness', () => {
    const bars = new ProductBars('BTC-USD', [MINUTE_US]);
    // First trade at 1m + 0.5 s; the watermark (2 s lateness) is 59.4 s when the earlier one (59 s) arrives.
    expect(bars.addTrade(T0 + MINUTE_US + 500_000, 101, 1, T0 + 58_500_000)).toBe(BAR_INPUT.added);
    expect(bars.addTrade(T0 + 59 * SECOND_US, 100, 2, T0 + 59_400_000), 'its bar [0, 1m) has not been closed').toBe(BAR_INPUT.added);
    expect(bars.addTrade(T0 + 10 * SECOND_US, 99, 1, T0 + MINUTE_US), 'the watermark has passed its bar').toBe(BAR_INPUT.late);
    expect(bars.closeUpTo(T0 + 2 * MINUTE_US).map((b) => [b.startUs - T0, b.close, b.volume, b.complete]))
      .toEqual([[0, 100, 2, false], [MINUTE_US, 101, 1, true]]);
  });

  it('orders open and close by event time, not by arrival, within a bucket', () => {
    const bars = new ProductBars('BTC-USD', [MINUTE_US]);
    bars.addTrade(T0 + 30 * SECOND_US, 101, 1, T0);
    bars.addTrade(T0 + 10 * SECOND_US, 100, 1, T0);
    bars.addTrade(T0 + 50 * SECOND_US, 103, 1, T0);
    bars.addTrade(T0 + 40 * SECOND_US, 99, 1, T0);
    expect(bars.closeUpTo(T0 + MINUTE_US)).toMatchObject([{ open: 100, high: 103, low: 99, close: 103, volume: 4, tradeCount: 4, vwap: 100.75 }]);
  });

  it('marks bars overlapping a reported gap, and the first bar after a start (partial), as incomplete', () => {
    const bars = new ProductBars('BTC-USD', [MINUTE_US]);
    bars.addTrade(T0 + 10 * SECOND_US, 100, 1, T0);
    bars.markGap(T0 + 70 * SECOND_US, T0 + 130 * SECOND_US);
    bars.addTrade(T0 + 200 * SECOND_US, 100, 1, T0);
    expect(bars.closeUpTo(T0 + 4 * MINUTE_US).map((b) => b.complete)).toEqual([false, false, false, true]);
  });

  it('keeps the bar that starts exactly at a gap\'s end complete (the gap ends at the first event after it)', () => {
    const bars = new ProductBars('BTC-USD', [MINUTE_US]);
    bars.addTrade(T0 + 10 * SECOND_US, 100, 1, T0);
    expect(bars.closeUpTo(T0 + MINUTE_US)).toHaveLength(1);
    bars.markGap(T0 + 70 * SECOND_US, T0 + 2 * MINUTE_US);
    bars.addTrade(T0 + 2 * MINUTE_US, 101, 1, T0 + MINUTE_US);
    expect(bars.closeUpTo(T0 + 3 * MINUTE_US).map((b) => [b.startUs - T0, b.complete])).toEqual([[MINUTE_US, false], [2 * MINUTE_US, true]]);
  });

  it('matches its saved state by interval, never by position', () => {
    const before = new ProductBars('BTC-USD', [MINUTE_US, 60 * MINUTE_US]);
    before.addTrade(T0 + 10 * SECOND_US, 100, 1, T0);
    before.addTrade(T0 + 70 * SECOND_US, 101, 2, T0);
    const saved = JSON.parse(JSON.stringify(before.snapshot())) as ProductBarsState;
    const after = new ProductBars('BTC-USD', [MINUTE_US, 15 * MINUTE_US, 60 * MINUTE_US], saved);
    after.addTrade(T0 + 20 * MINUTE_US, 102, 4, T0 + 2 * MINUTE_US);
    const bars = after.closeUpTo(T0 + 60 * MINUTE_US);
    const quarter = bars.filter((b) => b.intervalUs === 15 * MINUTE_US);
    expect(quarter.map((b) => [b.startUs - T0, b.volume, b.tradeCount]), 'the new interval starts with what it saw itself').toEqual([[15 * MINUTE_US, 4, 1], [30 * MINUTE_US, 0, 0], [45 * MINUTE_US, 0, 0]]);
    expect(bars.filter((b) => b.intervalUs === 60 * MINUTE_US).map((b) => [b.volume, b.tradeCount]), 'the hour keeps its own bucket').toEqual([[7, 3]]);
  });

  describe('candles', () => {
    const M = MINUTE_US;

    it('builds every interval that is a multiple of the granularity from 1-minute candles (typical-price VWAP, candles counted)', () => {
      const bars = new ProductBars('BTC-USD', INTERVALS);
      // Minutes 0, 1 and 3 traded; Coinbase omitted minute 2 (no trades) and minute 4.
      expect(bars.addCandle(T0, M, 100, 103, 99, 101, 2, T0)).toBe(BAR_INPUT.added);
      expect(bars.addCandle(T0 + M, M, 101, 105, 100, 104, 1, T0)).toBe(BAR_INPUT.added);
      expect(bars.addCandle(T0 + 3 * M, M, 104, 104, 98, 99, 0.5, T0)).toBe(BAR_INPUT.added);
      const out = bars.closeUpTo(T0 + 5 * M);
      expect(out.filter((b) => b.intervalUs === M).map((b) => [b.startUs - T0, b.open, b.high, b.low, b.close, b.volume, b.vwap, b.tradeCount])).toEqual([
        [0, 100, 103, 99, 101, 2, 101, 1], // typical price (103 + 99 + 101) / 3 = 101
        [M, 101, 105, 100, 104, 1, 103, 1], // (105 + 100 + 104) / 3 = 103
        [2 * M, 104, 104, 104, 104, 0, 104, 0], // omitted: an empty bar at the carried close, not a gap
        [3 * M, 104, 104, 98, 99, 0.5, 301 / 3, 1],
        [4 * M, 99, 99, 99, 99, 0, 99, 0],
      ]);
      // 5 minutes: open of the first candle, close of the last, extremes, Σ volume, Σ typical · volume / Σ volume.
      expect(out.filter((b) => b.intervalUs === 5 * M).map((b) => [b.open, b.high, b.low, b.close, b.volume, b.vwap, b.tradeCount]))
        .toEqual([[100, 105, 98, 99, 3.5, (101 * 2 + 103 * 1 + (301 / 3) * 0.5) / 3.5, 3]]);
    });

    it('feeds a 5-minute bar from 5-minute candles and the smallest 5-minute interval from 1-minute candles', () => {
      const five = new ProductBars('BTC-USD', [5 * M, 15 * M]);
      expect(five.addCandle(T0, 5 * M, 10, 12, 9, 11, 4, T0)).toBe(BAR_INPUT.added);
      expect(five.addCandle(T0 + 10 * M, 5 * M, 11, 11, 8, 8, 1, T0)).toBe(BAR_INPUT.added);
      expect(five.closeUpTo(T0 + 15 * M).map((b) => [b.intervalUs / M, b.startUs - T0, b.open, b.high, b.low, b.close, b.volume, b.tradeCount])).toEqual([
        [5, 0, 10, 12, 9, 11, 4, 1], [5, 5 * M, 11, 11, 11, 11, 0, 0], [5, 10 * M, 11, 11, 8, 8, 1, 1], [15, 0, 10, 12, 8, 8, 5, 2],
      ]);
    });

    it('never counts trades and candles twice: the first kind to feed a smallest-interval bucket keeps it', () => {
      const bars = new ProductBars('BTC-USD', INTERVALS);
      expect(bars.addCandle(T0, M, 100, 101, 99, 100, 1, T0)).toBe(BAR_INPUT.added);
      expect(bars.addTrade(T0 + 30 * SECOND_US, 500, 7, T0), 'minute 0 is fed by a candle').toBe(BAR_INPUT.covered);
      expect(bars.addTrade(T0 + M + SECOND_US, 102, 2, T0)).toBe(BAR_INPUT.added);
      expect(bars.addCandle(T0 + M, M, 300, 300, 300, 300, 9, T0), 'minute 1 is fed by trades').toBe(BAR_INPUT.covered);
      expect(bars.addCandle(T0, M, 100, 101, 99, 100, 1, T0), 'the same candle again').toBe(BAR_INPUT.repeat);
      const out = bars.closeUpTo(T0 + 5 * M);
      expect(out.filter((b) => b.intervalUs === M).slice(0, 2).map((b) => [b.close, b.high, b.volume, b.tradeCount])).toEqual([[100, 101, 1, 1], [102, 102, 2, 1]]);
      expect(out.filter((b) => b.intervalUs === 5 * M).map((b) => [b.open, b.high, b.low, b.close, b.volume])).toEqual([[100, 102, 99, 102, 3]]);
    });

    it('refuses a candle whose smallest-interval bar the watermark has passed (late), like a trade at its start', () => {
      const bars = new ProductBars('BTC-USD', INTERVALS);
      bars.addCandle(T0 + M, M, 100, 100, 100, 100, 1, T0);
      expect(bars.addCandle(T0, M, 99, 99, 99, 99, 1, T0 + 58 * SECOND_US), 'its bar [0, 1m) is still open').toBe(BAR_INPUT.added);
      expect(bars.closeUpTo(T0 + 2 * M)).toHaveLength(2);
      expect(bars.addCandle(T0 + M, M, 99, 99, 99, 99, 1, T0 + 2 * M)).toBe(BAR_INPUT.late);
    });

    it('keeps which kind feeds an open bucket across a JSON snapshot', () => {
      const before = new ProductBars('BTC-USD', INTERVALS);
      before.addCandle(T0, M, 100, 101, 99, 100, 1, T0);
      const after = new ProductBars('BTC-USD', INTERVALS, JSON.parse(JSON.stringify(before.snapshot())) as ProductBarsState);
      expect(after.addTrade(T0 + SECOND_US, 1, 1, T0)).toBe(BAR_INPUT.covered);
      expect(after.addCandle(T0, M, 100, 101, 99, 100, 1, T0)).toBe(BAR_INPUT.repeat);
    });
  });

  it('keeps its state bounded: only buckets between the watermark and the newest trade stay open', () => {
    const bars = new ProductBars('BTC-USD', INTERVALS);
    for (let i = 0; i < 10_000; i++) {
      const timeUs = T0 + i * 7 * SECOND_US;
      bars.addTrade(timeUs, 100, 1, timeUs - 9 * SECOND_US);
      bars.closeUpTo(timeUs - 2 * SECOND_US);
      expect(bars.openBuckets).toBeLessThanOrEqual(4);
    }
  });
});
