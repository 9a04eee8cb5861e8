import { describe, expect, it } from 'vitest';
import { CANDLES_PER_REQUEST, planCandleWindows } from './planCandleWindows.js';

describe('planCandleWindows', () => {
  it('splits a day of minutes into windows of 348 intervals, the last one shorter, oldest first', () => {
    const day = 1_767_225_600; // 2026-01-01T00:00:00Z
    const windows = planCandleWindows(day, day + 86_400, 60);
    // 1440 minutes = 4 × 348 + 48
    expect(windows.map((w) => (w.endS - w.startS) / 60)).toEqual([348, 348, 348, 348, 48]);
    expect(windows[0]).toEqual({ startS: day, endS: day + 348 * 60 });
    expect(windows.every((w, i) => i === 0 || w.startS === windows[i - 1]!.endS), 'contiguous, no overlap').toBe(true);
    expect(windows.at(-1)!.endS).toBe(day + 86_400);
  });

  it('aligns the range to the granularity: the start up, the end down (only whole candles)', () => {
    expect(planCandleWindows(3_601, 3 * 3_600 + 59, 3_600)).toEqual([{ startS: 7_200, endS: 10_800 }]);
  });

  it('plans nothing for a range shorter than one candle', () => {
    expect(planCandleWindows(60, 119, 60)).toEqual([]);
  });

  it('stays below the 350 candles Coinbase refuses, even counting the end inclusively', () => {
    expect(CANDLES_PER_REQUEST + 1).toBeLessThan(350);
    for (const w of planCandleWindows(0, 30 * 86_400, 300)) expect((w.endS - w.startS) / 300 + 1).toBeLessThan(350);
  });
});
