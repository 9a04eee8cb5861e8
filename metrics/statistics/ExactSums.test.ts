import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSums } from './ExactSums.js';

describe('ExactSums', () => {
  it('holds every double of magnitude at least 2⁻⁹⁸ exactly', () => {
    fc.assert(fc.property(fc.double({ min: -1e200, max: 1e200, noNaN: true }).filter((x) => x === 0 || Math.abs(x) >= 2 ** -98), (x) => {
      const sums = new ExactSums(0);
      sums.add(x);
      expect(Object.is(sums.mean(), x === 0 ? 0 : x)).toBe(true);
    }));
  });

  it('rounds smaller magnitudes to a multiple of 2⁻¹⁵⁰, losing less than 1e-45', () => {
    const sums = new ExactSums(0);
    sums.add(1e-40);
    expect(Math.abs(sums.mean() - 1e-40)).toBeLessThan(1e-45);
  });

  it('returns exactly to zero when every value added is removed again', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1 }), (xs) => {
      const sums = new ExactSums(0);
      xs.forEach((x) => { sums.add(x); });
      xs.forEach((x) => { sums.remove(x); });
      sums.add(1);
      sums.add(1);
      expect([sums.mean(), sums.std(), sums.downsideDeviation()]).toEqual([1, 0, 0]);
    }));
  });

  it('keeps small values exact after a large one leaves', () => {
    const sums = new ExactSums(0);
    for (const x of [1.36, 0, 0, 0, 0, 1e-12]) sums.add(x);
    sums.remove(1.36);
    expect(sums.mean()).toBe(1e-12 / 5);
    expect(sums.std()).toBe(Math.sqrt(1e-24 * (4 / 5) / 4));
  });

  it('measures the downside below the minimum acceptable return over all values', () => {
    const sums = new ExactSums(0.01);
    for (const x of [0.02, 0.0, -0.01]) sums.add(x);
    expect(sums.downsideDeviation()).toBeCloseTo(Math.sqrt((0.01 ** 2 + 0.02 ** 2) / 3), 15);
  });
});
