import { describe, expect, it } from 'vitest';
import { parseStrategyParams } from '../parseStrategyParams.js';
import { barsFromCloses, barsWithEmpty } from '../testing/barSeries.js';
import { testStrategyContract } from '../testing/testStrategyContract.js';
import { smaCross } from './smaCross.js';

testStrategyContract(smaCross, {
  params: [{}, { fast: 2, slow: 5 }, { fast: 3, slow: 8, confirmBars: 3, allowShort: true }],
  invalid: [
    { params: { fast: 30, slow: 10 }, problem: 'fast (30) must be less than slow (10)' },
    { params: { fast: 0 }, problem: 'fast must be >= 1' },
    { params: { fast: 2.5 }, problem: 'fast must be integer' },
    { params: { speed: 3 }, problem: 'unknown parameter speed' },
  ],
});

const key = { productId: 'BTC-USD', intervalUs: 60_000_000 };

describe('sma_cross', () => {
  it('fills in the defaults', () => {
    expect(parseStrategyParams(smaCross, {})).toEqual({ fast: 10, slow: 30, confirmBars: 1, allowShort: false });
  });

  it('goes long on a golden cross and flat on a death cross, with the averages in the reason', () => {
    const strategy = smaCross.create({ fast: 2, slow: 3, confirmBars: 1, allowShort: false }, key);
    // SMA(2)/SMA(3) per bar: 2: 10.5/10.33 above (first order, no signal); 3: 9.5/9.67 below (cross, but
    // already flat); 4: 10.5/10.67 still below; 5: 12/10.67 above (long); 6: 9/10.33 below (flat).
    const closes = [10, 10, 11, 8, 13, 11, 7];
    const signals = barsFromCloses(closes).map((bar) => strategy.onBar(bar));
    expect(signals).toEqual([
      null, null, null, null, null,
      { target: 'long', reason: 'SMA(2)=12 crossed above SMA(3)=10.6667' },
      { target: 'flat', reason: 'SMA(2)=9 crossed below SMA(3)=10.3333' },
    ]);
  });

  it('waits for the cross to hold for confirmBars bars, and ignores a cross that does not hold', () => {
    const strategy = smaCross.create({ fast: 2, slow: 3, confirmBars: 2, allowShort: true }, key);
    // SMA(2)/SMA(3): 2: 9.5/9.67 below (first order); 3: 10.5/10.33 above, held 1; 4: 8.5/8.67 below again
    // (the cross did not hold), held 1; 5: 5/7.33 below, held 2: short; 6: 9/7.67 above, held 1;
    // 7: 13/10.33 above, held 2: long.
    const closes = [10, 10, 9, 12, 5, 5, 13, 13];
    const signals = barsFromCloses(closes).map((bar) => strategy.onBar(bar));
    expect(signals).toEqual([
      null, null, null, null, null,
      { target: 'short', reason: 'SMA(2)=5 crossed below SMA(3)=7.33333 and held for 2 bars' },
      null,
      { target: 'long', reason: 'SMA(2)=13 crossed above SMA(3)=10.3333 and held for 2 bars' },
    ]);
  });

  it('does not let empty bars pull the averages together so that a 0.01 tick crosses them', () => {
    const params = { fast: 2, slow: 3, confirmBars: 1, allowShort: false };
    // 12, 11, 10: SMA(2) 10.5 below SMA(3) 11. Five empty bars, then 10.01: 10.005 still below 10.3367.
    const skipping = smaCross.create(params, key);
    expect(barsWithEmpty([12, 11, 10, null, null, null, null, null, 10.01]).map((bar) => skipping.onBar(bar)).filter((s) => s !== null)).toEqual([]);
    // Had those five closes of 10 traded, both averages would be 10 and the tick a golden cross.
    const traded = smaCross.create(params, key);
    expect(barsFromCloses([12, 11, 10, 10, 10, 10, 10, 10, 10.01]).map((bar) => traded.onBar(bar)).filter((s) => s !== null))
      .toEqual([{ target: 'long', reason: 'SMA(2)=10.005 crossed above SMA(3)=10.0033' }]);
  });
});
