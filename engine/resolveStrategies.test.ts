import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/ConfigError.js';
import { resolveStrategies } from './resolveStrategies.js';

async function problems(modules: string[], params = ''): Promise<string[]> {
  try {
    await resolveStrategies(modules, params);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.name}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveStrategies', () => {
  it('takes the default strategy with its default parameters', async () => {
    const [sma] = await resolveStrategies(['sma_cross'], '');
    expect([sma?.plugin.id, sma?.paramsKey]).toEqual(['sma_cross', 'allowShort=false,confirmBars=1,fast=10,slow=30']);
  });

  it('runs several parameter sets of one strategy, and parameters keyed by id for several', async () => {
    expect((await resolveStrategies(['sma_cross'], '[{"fast":5,"slow":20},{"fast":10,"slow":40}]')).map((i) => i.paramsKey))
      .toEqual(['allowShort=false,confirmBars=1,fast=5,slow=20', 'allowShort=false,confirmBars=1,fast=10,slow=40']);
    const both = await resolveStrategies(['sma_cross', 'rsi_reversion'], '{"rsi_reversion":{"period":7}}');
    expect(both.map((i) => `${i.plugin.id} ${i.paramsKey}`)).toEqual([
      'sma_cross allowShort=false,confirmBars=1,fast=10,slow=30',
      'rsi_reversion allowShort=false,overbought=70,oversold=30,period=7',
    ]);
  });

  it('names every problem with its variable', async () => {
    expect(await problems(['sma_cros', 'ema_cross'], '{"fast":50,"slow":20}')).toEqual([
      'STRATEGY_MODULE: Unknown strategy "sma_cros". Available: sma_cross, ema_cross, rsi_reversion, bollinger_breakout (or a module path)',
      'STRATEGY_PARAMS: Invalid parameters for strategy ema_cross: fast (50) must be less than slow (20)',
    ]);
    expect(await problems(['sma_cross', 'rsi_reversion'], '{"fast":5}')).toEqual([
      'STRATEGY_PARAMS: with several strategies, give parameters per strategy id (sma_cross, rsi_reversion); unknown keys: fast',
    ]);
  });

  it('refuses parameters that can never signal as bad configuration, like any other bad parameter', async () => {
    expect(await problems(['bollinger_breakout'], '[{"period":20,"k":2},{"period":10,"k":3}]')).toEqual([
      'STRATEGY_PARAMS: Invalid parameters for strategy bollinger_breakout: k (3) must be less than √(period − 1) = 3.00000 for period 10: '
        + 'the close is one of the 10 closes the bands are computed from, so it is at most √(period − 1) standard deviations from their mean '
        + 'and could never break out',
    ]);
  });

  it('loads a strategy written outside the repository, from its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strategy-'));
    const file = join(dir, 'alwaysLong.mjs');
    writeFileSync(file, `
      export default {
        id: 'always_long', version: 1, description: 'goes long once warmed up',
        paramsSchema: { type: 'object', properties: { after: { type: 'integer', minimum: 1, default: 3 } }, additionalProperties: false },
        create(params, key, snapshot) {
          let seen = snapshot ?? 0;
          return {
            warmupBars: params.after,
            onBar(bar) { seen += 1; return seen === params.after ? { target: 'long', reason: key.productId + ' bar ' + seen } : null; },
            snapshot() { return seen; },
          };
        },
      };`);
    const [instance] = await resolveStrategies([file], '{"after":2}');
    expect([instance?.plugin.id, instance?.paramsKey]).toEqual(['always_long', 'after=2']);
    expect(await problems([join(dir, 'missing.mjs')])).toEqual([expect.stringMatching(/^STRATEGY_MODULE: cannot load ".*missing\.mjs": /)]);
  });
});
