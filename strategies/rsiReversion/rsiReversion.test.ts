import { describe, expect, it } from 'vitest';
import { barsFromCloses } from '../testing/barSeries.js';
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
});
