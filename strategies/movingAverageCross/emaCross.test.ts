import { describe, expect, it } from 'vitest';
import { barsFromCloses } from '../testing/barSeries.js';
import { testStrategyContract } from '../testing/testStrategyContract.js';
import { emaCross } from './emaCross.js';

testStrategyContract(emaCross, {
  params: [{}, { fast: 2, slow: 4 }, { fast: 5, slow: 12, confirmBars: 2, allowShort: true }],
  invalid: [{ params: { fast: 12, slow: 12 }, problem: 'fast (12) must be less than slow (12)' }],
});

describe('ema_cross', () => {
  it('crosses on exponential averages seeded with the first close', () => {
    const strategy = emaCross.create({ fast: 2, slow: 3, confirmBars: 1, allowShort: false }, { productId: 'X-USD', intervalUs: 60e6 });
    // EMA(2) (α=2/3) / EMA(3) (α=1/2) from 10: bar 2 (close 9): 9.333/9.5 below, the first order;
    // bar 3 (close 12): 11.111/10.75 above: long.
    const signals = barsFromCloses([10, 10, 9, 12]).map((bar) => strategy.onBar(bar));
    expect(signals).toEqual([null, null, null, { target: 'long', reason: 'EMA(2)=11.1111 crossed above EMA(3)=10.75' }]);
  });
});
