import { describe, expect, it } from 'vitest';
import { TULIP_INPUT, TULIP_SMA_5 } from '../fixtures/tulipReference.js';
import { testIndicatorContract } from '../testing/testIndicatorContract.js';
import { SMA } from './SMA.js';

testIndicatorContract('SMA(7)', (snapshot) => new SMA(7, snapshot));

describe('SMA', () => {
  it('matches Tulip Indicators\' sma 5', { tags: ['tulipindicators'] }, () => {
    const sma = new SMA(5);
    const results = TULIP_INPUT.map((x) => sma.update(x)).slice(4);
    results.forEach((value, i) => { expect(value, `output ${i}`).toBeCloseTo(TULIP_SMA_5[i]!, 3); });
    expect(results).toHaveLength(TULIP_SMA_5.length);
  });

  it('keeps its rounding error bounded over a long run (the sum is recomputed every period)', () => {
    const sma = new SMA(3);
    for (let i = 0; i < 100_000; i++) sma.update([0.1, 1e15 + 0.3, 3.7e14][i % 3]!);
    for (const x of [0.7, 0.2, 0.3]) sma.update(x);
    expect(Math.abs((sma.result ?? NaN) - 0.4), 'a plain running sum is off by 0.146 here').toBeLessThan(1e-9);
    sma.update(0.4);
    sma.update(0.5);
    expect(sma.result, 'exact right after a recompute').toBe((0.3 + 0.4 + 0.5) / 3);
  });
});
