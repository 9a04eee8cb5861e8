import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../strategies/Strategy.js';
import { PerformanceStatistics, type StatisticsValues } from './PerformanceStatistics.js';
import { closeTo } from './testing/closeTo.js';
import { batchStatistics } from './testing/empyricalBatch.js';

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

function expectMatchesBatch(actual: StatisticsValues, returns: readonly number[], where: string, rf = 0, mar = 0): void {
  const expected = batchStatistics(returns, A, rf, mar);
  const wellConditioned = Math.max(condition(returns), condition(returns.map((r) => r - rf))) <= 1e3;
  for (const field of FIELDS) {
    if (!wellConditioned && (field === 'annualVolatility' || field === 'sharpe')) continue;
    expect(closeTo(actual[field], expected[field]), `${where} ${field}: streaming ${actual[field]} vs batch ${expected[field]}`).toBe(true);
  }
  expect(actual.bars).toBe(returns.length);
}

/** Feeds the returns one by one and compares every statistic with the batch formulas after every bar. */
function checkSeries(returns: readonly number[], rf = 0, mar = 0, { sinceStart = true } = {}): void {
  const stats = new PerformanceStatistics({ periodsPerYear: A, windows: WINDOWS, riskFreePerBar: rf, marPerBar: mar });
  returns.forEach((r, i) => {
    stats.addBarReturn(r);
    const seen = returns.slice(0, i + 1);
    if (sinceStart) expectMatchesBatch(stats.sinceStart(), seen, `bar ${i} since start`, rf, mar);
    stats.windows().forEach((w, k) => { expectMatchesBatch(w, seen.slice(-WINDOWS[k]!), `bar ${i} window ${WINDOWS[k]}`, rf, mar); });
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

  it('with a risk-free rate and a minimum acceptable return', () => {
    fc.assert(fc.property(fc.array(realistic, { maxLength: 80 }), (returns) => { checkSeries(returns, 0.0001, 0.0002); }), { numRuns: 50 });
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
  });

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
    checkSeries(Array.from({ length: 1600 }, (_, i) => [2, -0.3, 0.9][i % 3]!), 0, 0, { sinceStart: false });
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
