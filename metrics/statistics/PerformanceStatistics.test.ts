import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../strategies/Strategy.js';
import { perBarRate, PerformanceStatistics, type StatisticsValues } from './PerformanceStatistics.js';
import { closeTo } from './testing/closeTo.js';
import { batchStatistics, deannualize } from './testing/empyricalBatch.js';

const A = 525_600;
const WINDOWS = [1, 5, 20];
const FIELDS = ['cumulativeReturn', 'annualVolatility', 'sharpe', 'sortino', 'maxDrawdown'] as const;

/**
 * |mean| / std of a series: the condition number of its standard deviation. A double-precision two-pass
 * standard deviation is only good to about ε·(|mean| / std)², so beyond 1e3 two correct computations (the
 * streaming one and the batch one) no longer agree to 9 digits, whichever is more exact.
 */
function condition(xs: readonly number[]): number {
  if (xs.length < 2 || xs.every((x) => x === xs[0])) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return Math.abs(mean) / std;
}

/** Annual rates, converted per bar by each side on its own (the batch side as quantstats writes it). */
interface Rates {
  readonly periodsPerYear?: number;
  readonly riskFreeRate?: number;
  readonly sortinoMar?: number;
}

function expectMatchesBatch(actual: StatisticsValues, returns: readonly number[], where: string, rates: Rates = {}): void {
  const a = rates.periodsPerYear ?? A;
  const [rf, mar] = [deannualize(rates.riskFreeRate ?? 0, a), deannualize(rates.sortinoMar ?? 0, a)];
  const expected = batchStatistics(returns, a, rf, mar);
  const wellConditioned = Math.max(condition(returns), condition(returns.map((r) => r - rf))) <= 1e3;
  for (const field of FIELDS) {
    if (!wellConditioned && (field === 'annualVolatility' || field === 'sharpe')) continue;
    expect(closeTo(actual[field], expected[field]), `${where} ${field}: streaming ${actual[field]} vs batch ${expected[field]}`).toBe(true);
  }
  expect(actual.bars).toBe(returns.length);
}

/** Feeds the returns one by one and compares every statistic with the batch formulas after every bar. */
function checkSeries(returns: readonly number[], rates: Rates = {}, { sinceStart = true } = {}): void {
  const stats = new PerformanceStatistics({ periodsPerYear: rates.periodsPerYear ?? A, windows: WINDOWS, riskFreeRate: rates.riskFreeRate ?? 0, sortinoMar: rates.sortinoMar ?? 0 });
  returns.forEach((r, i) => {
    stats.addBarReturn(r);
    const seen = returns.slice(0, i + 1);
    if (sinceStart) expectMatchesBatch(stats.sinceStart(), seen, `bar ${i} since start`, rates);
    stats.windows().forEach((w, k) => { expectMatchesBatch(w, seen.slice(-WINDOWS[k]!), `bar ${i} window ${WINDOWS[k]}`, rates); });
  });
}

/**
 * Returns a market can produce: 0, or at least 1e-12 in magnitude (a 1e-12 return on a $100 000 price is a
 * 1e-7 price move, below any tick). Smaller magnitudes underflow when squared, where no two floating-point
 * computations agree.
 */
const marketReturn = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true }).map((r) => (Math.abs(r) < 1e-12 ? 0 : r));
const realistic = marketReturn(-0.05, 0.05);
const wild = marketReturn(-0.99, 3);

describe('PerformanceStatistics equals the empyrical batch formulas within 1e-9', { tags: ['empyrical'] }, () => {
  it('on random series, after every bar, since the start and over every window', () => {
    fc.assert(fc.property(fc.array(fc.oneof(realistic, wild), { maxLength: 120 }), (returns) => { checkSeries(returns); }), { numRuns: 300 });
  });

  it('with an annual risk-free rate and MAR, on daily and on 1-minute bars', () => {
    fc.assert(fc.property(fc.array(realistic, { maxLength: 80 }), (returns) => {
      checkSeries(returns, { periodsPerYear: 365, riskFreeRate: 0.04, sortinoMar: 0.1 });
      checkSeries(returns, { riskFreeRate: 0.05, sortinoMar: -0.02 });
    }), { numRuns: 50 });
  });

  it('with an annual risk-free rate and MAR on flat, all-zero and one-value series', () => {
    for (const returns of [Array.from({ length: 30 }, () => 0), Array.from({ length: 20 }, () => 0.002), Array.from({ length: 40 }, (_, i) => 0.001 * (1 + (i % 7))), [0.01]]) {
      checkSeries(returns, { periodsPerYear: 365, riskFreeRate: 0.04, sortinoMar: 0.1 });
    }
  });

  it.each([
    ['flat', Array.from({ length: 50 }, () => 0.001)],
    ['all zero', Array.from({ length: 30 }, () => 0)],
    ['all positive', Array.from({ length: 40 }, (_, i) => 0.001 * (1 + (i % 7)))],
    ['all negative', Array.from({ length: 40 }, (_, i) => -0.002 * (1 + (i % 5)))],
    ['one value', [0.01]],
    ['alternating ±x (mean exactly 0)', Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 0.01 : -0.01))],
    ['a first-bar loss', [-0.1, 0.05, 0.05]],
    ['a total loss (bankruptcy) as the last return', [0.02, -0.01, 0.03, -1]],
    ['flat after volatile (windows become exactly flat)', [0.03, -0.02, 0.05, ...Array.from({ length: 25 }, () => 0.002)]],
    ['long run', Array.from({ length: 3000 }, (_, i) => Math.sin(i * 1.7) * 0.01)],
    // Regressions found by the property test: a large return leaving a window of tiny ones.
    ['a large return leaves, tiny ones remain', [-0.04587162323473103, 0, 0, 0, 0, -1e-12]],
    ['a small return leaves, smaller ones remain', [-4.459333370046745e-9, 0, -1.6292784841520004e-12, 0, 0, 0]],
  ])('on an edge case: %s', (_name, returns) => {
    checkSeries(returns);
  }, 60_000); // The 3 000-bar run recomputes every batch statistic at every bar: O(n²), seconds on a busy machine.

  it('compares volatility and Sharpe of realistic series, which are well conditioned, at every bar', () => {
    // One-minute BTC returns: mean ~1e-6, std ~1e-3 (|mean| / std ~ 1e-3).
    const returns = Array.from({ length: 500 }, (_, i) => 0.001 * Math.sin(i * 2.3) + 1e-6);
    expect(condition(returns)).toBeLessThan(1e3);
    checkSeries(returns);
  });

  it('gives empyrical\'s infinities: no losing bar → Sortino +∞; constant returns → Sharpe +∞', () => {
    const stats = new PerformanceStatistics({ periodsPerYear: A, windows: [] });
    for (const r of [0.01, 0.01, 0.01]) stats.addBarReturn(r);
    expect(stats.sinceStart().sharpe).toBe(Number.POSITIVE_INFINITY);
    expect(stats.sinceStart().sortino).toBe(Number.POSITIVE_INFINITY);
    expect(stats.sinceStart().annualVolatility).toBe(0);
  });

  it('keeps rolling figures right when its equity levels pass 1e260 and are rescaled', () => {
    // ×3.99 every three bars, with a 30 % drawdown in each: since-start equity overflows past bar ~1540 (and
    // so would any batch computation of it); the windows must stay exact throughout.
    checkSeries(Array.from({ length: 1600 }, (_, i) => [2, -0.3, 0.9][i % 3]!), {}, { sinceStart: false });
  });
});

describe('PerformanceStatistics with a risk-free rate and a Sortino MAR', { tags: ['empyrical'] }, () => {
  // Eight daily returns, rf 4 % and MAR 10 % a year. Expected values computed from empyrical's formulas
  // (stats.py: sharpe_ratio(returns, risk_free), sortino_ratio(returns, required_return), downside_risk) with the
  // rates de-annualised as quantstats' to_excess_returns does ((1 + rate)^(1/365) − 1), in 60-digit decimal
  // arithmetic (Python's decimal module) on the exact values of the doubles.
  // https://github.com/quantopian/empyrical/blob/master/empyrical/stats.py
  // https://github.com/ranaroussi/quantstats/blob/main/quantstats/utils.py
  const returns = [0.01, -0.02, 0.015, 0.003, -0.007, 0.02, -0.001, 0.004];
  const options = { periodsPerYear: 365, windows: [8], riskFreeRate: 0.04, sortinoMar: 0.1 };

  it('converts annual rates per bar by compounding: (1 + rate)^(1 / A) − 1', () => {
    expect(closeTo(perBarRate(0.04, 365), 0.00010745978202790255)).toBe(true);
    expect(closeTo(perBarRate(0.1, 365), 0.0002611578760678122)).toBe(true);
    expect(perBarRate(0, 525_600), 'a zero rate is exactly zero').toBe(0);
  });

  it('gives Sharpe 4.353317157788073 and Sortino 6.864542624051204 since the start and over the window', () => {
    const stats = new PerformanceStatistics(options);
    for (const r of returns) stats.addBarReturn(r);
    for (const values of [stats.sinceStart(), stats.windows()[0]!]) {
      expect(closeTo(values.sharpe, 4.353317157788073), `sharpe ${values.sharpe}`).toBe(true);
      expect(closeTo(values.sortino, 6.864542624051204), `sortino ${values.sortino}`).toBe(true);
    }
    const zero = new PerformanceStatistics({ ...options, riskFreeRate: 0, sortinoMar: 0 });
    for (const r of returns) zero.addBarReturn(r);
    expect(closeTo(zero.sinceStart().sharpe, 4.515045769189094), 'without rf').toBe(true);
    expect(closeTo(zero.sinceStart().sortino, 7.641989269817120), 'without MAR').toBe(true);
  });

  it('restores a snapshot with the same MAR, loads one written before MAR existed, and refuses another MAR', () => {
    const stats = new PerformanceStatistics(options);
    for (const r of returns.slice(0, 4)) stats.addBarReturn(r);
    const restored = new PerformanceStatistics(options, JSON.parse(JSON.stringify(stats.snapshot())) as JsonValue);
    for (const r of returns.slice(4)) restored.addBarReturn(r);
    expect(closeTo(restored.sinceStart().sortino, 6.864542624051204)).toBe(true);
    // The form of a snapshot before rates were configurable (MAR 0): no `mar` field.
    const old = new PerformanceStatistics({ periodsPerYear: 365, windows: [8] });
    for (const r of returns.slice(0, 4)) old.addBarReturn(r);
    const oldSnapshot = old.snapshot() as Record<string, JsonValue>;
    expect(Object.keys(oldSnapshot).sort()).toEqual(['closed', 'd', 'm', 'pc', 'pw', 'w', 'won']);
    const continued = new PerformanceStatistics({ periodsPerYear: 365, windows: [8] }, oldSnapshot);
    for (const r of returns.slice(4)) continued.addBarReturn(r);
    expect(closeTo(continued.sinceStart().sortino, 7.641989269817120)).toBe(true);
    expect(() => new PerformanceStatistics(options, oldSnapshot)).toThrow('per-bar MAR of 0 cannot continue with 0.000261157876');
  });
});

describe('PerformanceStatistics snapshots', () => {
  it('matches rolling windows by their size, never by their position', () => {
    const returns = [0.01, -0.02, 0.015, 0.003, -0.007, 0.02];
    const before = new PerformanceStatistics({ periodsPerYear: 365, windows: [3, 5] });
    for (const r of returns.slice(0, 4)) before.addBarReturn(r);
    // Restored with the windows listed the other way round and one more: each keeps its own bars.
    const restored = new PerformanceStatistics({ periodsPerYear: 365, windows: [5, 4, 3] }, JSON.parse(JSON.stringify(before.snapshot())) as JsonValue);
    const unbroken = new PerformanceStatistics({ periodsPerYear: 365, windows: [5, 3] });
    for (const r of returns.slice(0, 4)) unbroken.addBarReturn(r);
    for (const r of returns.slice(4)) {
      restored.addBarReturn(r);
      unbroken.addBarReturn(r);
    }
    const [five, four, three] = restored.windows();
    expect([five, three]).toEqual(unbroken.windows());
    expect(four!.bars, 'a window the snapshot did not have starts empty').toBe(2);
  });
});

describe('PerformanceStatistics trades', () => {
  it('counts closed round trips and winners since the start and per window', () => {
    const stats = new PerformanceStatistics({ periodsPerYear: A, windows: [2] });
    stats.addClosedTrade(10);
    stats.addBarReturn(0.01);
    stats.addClosedTrade(-5);
    stats.addClosedTrade(3);
    stats.addBarReturn(-0.01);
    stats.addBarReturn(0);
    expect([stats.sinceStart().tradeCount, stats.sinceStart().winRate]).toEqual([3, 2 / 3]);
    expect([stats.windows()[0]!.tradeCount, stats.windows()[0]!.winRate], 'the last two bars').toEqual([2, 0.5]);
    stats.addBarReturn(0);
    expect([stats.windows()[0]!.tradeCount, stats.windows()[0]!.winRate]).toEqual([0, NaN]);
  });
});

describe('PerformanceStatistics snapshots', () => {
  it('restore from JSON at any bar and continue identically', () => {
    fc.assert(fc.property(fc.array(realistic, { maxLength: 60 }), fc.nat(), (returns, cut) => {
      const at = cut % (returns.length + 1);
      const options = { periodsPerYear: A, windows: [3, 10] };
      const original = new PerformanceStatistics(options);
      returns.slice(0, at).forEach((r, i) => { if (i % 4 === 0) original.addClosedTrade(r); original.addBarReturn(r); });
      const restored = new PerformanceStatistics(options, JSON.parse(JSON.stringify(original.snapshot())) as JsonValue);
      returns.slice(at).forEach((r, i) => {
        for (const s of [original, restored]) { if ((at + i) % 4 === 0) s.addClosedTrade(r); s.addBarReturn(r); }
        expect(restored.sinceStart()).toEqual(original.sinceStart());
        expect(restored.windows()).toEqual(original.windows());
      });
    }), { numRuns: 100 });
  });
});
