import { describe, expect, it } from 'vitest';
import { parseStrategyParams } from '../parseStrategyParams.js';
import { barsFromCloses, barsWithEmpty } from '../testing/barSeries.js';
import { testStrategyContract } from '../testing/testStrategyContract.js';
import { bollingerBreakout } from './bollingerBreakout.js';

testStrategyContract(bollingerBreakout, {
  params: [{}, { period: 5, k: 1 }, { period: 4, k: 1.5, allowShort: true }, { period: 3, k: 1, minDeviationBps: 0, allowShort: true }],
  invalid: [
    { params: { k: 0 }, problem: 'k must be > 0' },
    { params: { period: 1 }, problem: 'period must be >= 2' },
    { params: { period: 5, k: 2 }, problem: 'k (2) must be less than √(period − 1) = 2.00000 for period 5' },
    { params: { minDeviationBps: 101 }, problem: 'minDeviationBps must be <= 100' },
  ],
});

const key = { productId: 'X-USD', intervalUs: 60e6 };
const accepts = (params: object) => {
  try {
    parseStrategyParams(bollingerBreakout, params);
    return true;
  } catch {
    return false;
  }
};

describe('bollinger_breakout', () => {
  it('fills in the defaults', () => {
    expect(parseStrategyParams(bollingerBreakout, {})).toEqual({ period: 20, k: 2, minDeviationBps: 1, allowShort: false });
  });

  it('refuses k ≥ √(period − 1), which can never signal, exactly at the bound', () => {
    // The newest of n closes is at most √(n − 1) population deviations from their mean: the bound is exact.
    expect(accepts({ period: 5, k: 2 }), 'k = √4').toBe(false);
    expect(accepts({ period: 5, k: 1.9999999999999998 }), 'the largest double below √4').toBe(true);
    expect(accepts({ period: 2, k: 1 }), 'k = √1').toBe(false);
    expect(accepts({ period: 2, k: 0.9999999999999999 })).toBe(true);
    // Math.sqrt(19) = 4.358898943540674 is above √19 = 4.35889894354067355…; the double below it is under.
    expect(accepts({ period: 20, k: Math.sqrt(19) })).toBe(false);
    expect(accepts({ period: 20, k: 4.358898943540673 })).toBe(true);
    // Math.sqrt(3) = 1.7320508075688772 is below √3 = 1.73205080756887729…: still allowed; the next double is not.
    expect(accepts({ period: 4, k: Math.sqrt(3) })).toBe(true);
    expect(accepts({ period: 4, k: 1.7320508075688774 })).toBe(false);
    expect(() => parseStrategyParams(bollingerBreakout, { period: 20, k: 5 })).toThrow(
      'k (5) must be less than √(period − 1) = 4.35890 for period 20: the close is one of the 20 closes the bands are computed from, '
      + 'so it is at most √(period − 1) standard deviations from their mean and could never break out');
  });

  it('at k = √(period − 1) a close is above the upper band only by rounding, which is why that k is refused', () => {
    // 0.1 ×4 then 0.3: exactly on the upper band (z = √4 = 2); in doubles the band is 0.29999999999999993.
    const strategy = bollingerBreakout.create({ period: 5, k: 2, minDeviationBps: 0, allowShort: false }, key);
    const signals = barsFromCloses([0.1, 0.1, 0.1, 0.1, 0.3]).map((bar) => strategy.onBar(bar));
    expect(signals[4]).toEqual({ target: 'long', reason: 'close 0.3 broke above the upper BB(5, 2) band 0.3' });
  });

  it('breaks out just below the bound: period 5, k 1.99, four closes at 100 then 101 (z = 2)', () => {
    const strategy = bollingerBreakout.create(parseStrategyParams(bollingerBreakout, { period: 5, k: 1.99 }), key);
    const signals = barsFromCloses([100, 100, 100, 100, 101]).map((bar) => strategy.onBar(bar));
    // Mean 100.2, population deviation 0.4: upper band 100.2 + 1.99 · 0.4 = 100.996.
    expect(signals).toEqual([null, null, null, null, { target: 'long', reason: 'close 101 broke above the upper BB(5, 1.99) band 100.996' }]);
  });

  it('does not call a 0.01 tick after 19 empty bars a breakout (period 20, k 2): empty bars are not observations', () => {
    // Before: the window was 19 carried-forward closes of 100 and 100.01, z = √19 ≈ 4.36 > 2: a "breakout".
    for (const minDeviationBps of [0, 1]) {
      const params = { period: 20, k: 2, minDeviationBps, allowShort: true };
      const fresh = bollingerBreakout.create(params, key);
      expect(barsWithEmpty([100, ...Array.from({ length: 19 }, () => null), 100.01]).map((bar) => fresh.onBar(bar)).filter((s) => s !== null), 'from the start').toEqual([]);
      // After a full window of traded closes oscillating 100 ± 0.5, the bands stay theirs: 100.01 is inside.
      const warm = bollingerBreakout.create(params, key);
      const traded = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 99.5 : 100.5));
      const signals = barsWithEmpty([...traded, 100, ...Array.from({ length: 19 }, () => null), 100.01]).map((bar) => warm.onBar(bar));
      expect(signals.slice(20).filter((s) => s !== null), `after a warm window, minDeviationBps ${minDeviationBps}`).toEqual([]);
    }
  });

  it('does not call a 0.01 tick after 19 traded closes of 100 a breakout: the deviation is at least minDeviationBps', () => {
    const closes = [...Array.from({ length: 19 }, () => 100), 100.01];
    const floored = bollingerBreakout.create(parseStrategyParams(bollingerBreakout, {}), key);
    // Deviation max(0.00218, 1 bp of 100.0005) = 0.0100005: upper band 100.0005 + 2 · 0.0100005 = 100.0205.
    expect(barsFromCloses(closes).map((bar) => floored.onBar(bar)).filter((s) => s !== null)).toEqual([]);
    const unfloored = bollingerBreakout.create(parseStrategyParams(bollingerBreakout, { minDeviationBps: 0 }), key);
    expect(barsFromCloses(closes).map((bar) => unfloored.onBar(bar))[19], 'without the floor: z = √19').toEqual(
      { target: 'long', reason: 'close 100.01 broke above the upper BB(20, 2) band 100.005' });
    // 100.03 is a real breakout through the floored band.
    const moved = bollingerBreakout.create(parseStrategyParams(bollingerBreakout, {}), key);
    expect(barsFromCloses([...closes.slice(0, 19), 100.03]).map((bar) => moved.onBar(bar))[19]).toEqual(
      { target: 'long', reason: 'close 100.03 broke above the upper BB(20, 2) band 100.022' });
  });

  it('goes long above the upper band and back to flat below the middle band', () => {
    const strategy = bollingerBreakout.create({ period: 3, k: 1, minDeviationBps: 1, allowShort: false }, key);
    // Window 10,10,13: mean 11, population sd √2 ≈ 1.414, upper 12.414 < 13: long.
    // Window 10,13,10: mean 11 > 10: flat.
    const signals = barsFromCloses([10, 10, 13, 10]).map((bar) => strategy.onBar(bar));
    expect(signals).toEqual([
      null, null,
      { target: 'long', reason: 'close 13 broke above the upper BB(3, 1) band 12.4142' },
      { target: 'flat', reason: 'close 10 fell back below the middle BB(3, 1) band 11' },
    ]);
  });
});
