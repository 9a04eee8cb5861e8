import { describe, expect, it } from 'vitest';
import { resolveStrategies } from '../../engine/resolveStrategies.js';
import { barsFromCloses } from '../../strategies/testing/barSeries.js';
import { testStrategyContract } from '../../strategies/testing/testStrategyContract.js';
import { plugin } from './donchianBreakout.js';

testStrategyContract(plugin, {
  params: [{}, { period: 2 }, { period: 5 }],
  invalid: [{ params: { period: 1 }, problem: 'period must be >= 2' }, { params: { periods: 3 }, problem: 'periods' }],
});

describe('donchian_breakout (the README\'s example of a strategy module)', () => {
  it('goes long above the channel and flat below it', () => {
    const strategy = plugin.create({ period: 3 }, { productId: 'X-USD', intervalUs: 60e6 });
    expect(barsFromCloses([10, 11, 12, 13, 12, 9]).map((bar) => strategy.onBar(bar))).toEqual([
      null, null, null,
      { target: 'long', reason: 'close 13 broke above the 3-bar high 12' },
      null,
      { target: 'flat', reason: 'close 9 broke below the 3-bar low 12' },
    ]);
  });

  it('loads from its path as STRATEGY_MODULE names it, with its parameters', async () => {
    const [instance] = await resolveStrategies(['./examples/strategies/donchianBreakout.ts'], '{"period":55}');
    expect([instance?.plugin.id, instance?.paramsKey]).toEqual(['donchian_breakout', 'period=55']);
  });
});
