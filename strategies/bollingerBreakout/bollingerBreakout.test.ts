import { describe, expect, it } from 'vitest';
import { barsFromCloses } from '../testing/barSeries.js';
import { testStrategyContract } from '../testing/testStrategyContract.js';
import { bollingerBreakout } from './bollingerBreakout.js';

testStrategyContract(bollingerBreakout, {
  params: [{}, { period: 5, k: 1 }, { period: 4, k: 1.5, allowShort: true }],
  invalid: [{ params: { k: 0 }, problem: 'k must be > 0' }, { params: { period: 1 }, problem: 'period must be >= 2' }],
});

describe('bollinger_breakout', () => {
  it('goes long above the upper band and back to flat below the middle band', () => {
    const strategy = bollingerBreakout.create({ period: 3, k: 1, allowShort: false }, { productId: 'X-USD', intervalUs: 60e6 });
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
