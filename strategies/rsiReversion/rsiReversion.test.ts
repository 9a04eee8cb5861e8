import { describe, expect, it } from 'vitest';
import { barsFromCloses, barsWithEmpty } from '../testing/barSeries.js';
import { testStrategyContract } from '../testing/testStrategyContract.js';
import { rsiReversion } from './rsiReversion.js';

testStrategyContract(rsiReversion, {
  params: [{}, { period: 3, oversold: 40, overbought: 60 }, { period: 5, allowShort: true }],
  invalid: [
    { params: { oversold: 70, overbought: 30 }, problem: 'oversold (70) must be less than overbought (30)' },
    { params: { period: 1 }, problem: 'period must be >= 2' },
    { params: { oversold: 0 }, problem: 'oversold must be > 0' },
  ],
});

describe('rsi_reversion', () => {
  it('buys when RSI falls below oversold and sells when it rises above overbought', () => {
    const strategy = rsiReversion.create({ period: 2, oversold: 30, overbought: 70, allowShort: false }, { productId: 'X-USD', intervalUs: 60e6 });
    // RSI(2): bar 2 after two losses: 0 (long); bar 3: gain 3 vs loss avg 1 → up 1.5, down 0.5 → 75 (flat).
    const signals = barsFromCloses([10, 9, 8, 11]).map((bar) => strategy.onBar(bar));
    expect(signals).toEqual([
      null, null,
      { target: 'long', reason: 'RSI(2)=0 fell below 30 (oversold)' },
      { target: 'flat', reason: 'RSI(2)=75 rose above 70 (overbought)' },
    ]);
  });

  it('does not let a run of empty bars turn a 0.01 tick into an extreme RSI: empty bars are not observations', () => {
    const params = { period: 3, oversold: 30, overbought: 70, allowShort: true };
    const flat = Array.from({ length: 30 }, () => null);
    // RSI(3) after 10, 11, 10, 11, 10: gain 4/9, loss 5/9 (44.4); the tick to 10.01 makes it 44.7: no signal.
    const skipping = rsiReversion.create(params, { productId: 'X-USD', intervalUs: 60e6 });
    expect(barsWithEmpty([10, 11, 10, 11, 10, ...flat, 10.01]).map((bar) => skipping.onBar(bar)).filter((s) => s !== null)).toEqual([]);
    // The same 30 closes of 10 actually traded: Wilder's averages decay by (2/3)^30 (gain 2.3e-6, loss 2.9e-6), and
    // the tick's gain of 0.01 / 3 pins RSI at 100 · 0.0033349 / 0.0033368 = 99.9421.
    const traded = rsiReversion.create(params, { productId: 'X-USD', intervalUs: 60e6 });
    const signals = barsFromCloses([10, 11, 10, 11, 10, ...flat.map(() => 10), 10.01]).map((bar) => traded.onBar(bar));
    expect(signals.filter((s) => s !== null)).toEqual([{ target: 'short', reason: 'RSI(3)=99.9421 rose above 70 (overbought)' }]);
  });
});
