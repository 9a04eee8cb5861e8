import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/ConfigError.js';
import { loadStrategyProgramConfig } from './loadStrategyProgramConfig.js';

async function messageOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const DATABASE_URL = 'postgres://engine@db/x';

describe('loadStrategyProgramConfig', () => {
  it('resolves the strategies as part of the configuration', async () => {
    const { config, strategies } = await loadStrategyProgramConfig('engine', { DATABASE_URL, STRATEGY_PARAMS: '{"fast":5,"slow":20}' });
    expect(config.ENGINE_GROUP_ID).toBe('strategy-engine');
    expect(strategies.map((s) => `${s.plugin.id} ${s.paramsKey}`)).toEqual(['sma_cross allowShort=false,confirmBars=1,fast=5,slow=20']);
  });

  it('reports unknown strategies and bad parameters in one message with every other bad variable', async () => {
    expect(await messageOf(() => loadStrategyProgramConfig('engine', { STRATEGY_MODULE: 'nope,ema_cross', STRATEGY_PARAMS: '{"fast":30,"slow":10}', ENGINE_INTERVALS: '7x' }))).toBe([
      'Invalid configuration (4 variables):',
      '  ENGINE_INTERVALS: item 1 "7x" has an invalid format: expected a whole number of seconds, minutes, hours or days, e.g. 30s, 1m, 15m, 1h or 1d (got "7x")',
      '  DATABASE_URL: is required but not set',
      '  STRATEGY_MODULE: Unknown strategy "nope". Available: sma_cross, ema_cross, rsi_reversion, bollinger_breakout (or a module path)',
      '  STRATEGY_PARAMS: Invalid parameters for strategy ema_cross: fast (30) must be less than slow (10)',
    ].join('\n'));
  });

  it('does not report a strategy variable twice when its own format is bad', async () => {
    expect(await messageOf(() => loadStrategyProgramConfig('replay', { DATABASE_URL, STRATEGY_PARAMS: '5' }))).toBe([
      'Invalid configuration (1 variable):',
      '  STRATEGY_PARAMS: must be a JSON object or array (got "5")',
    ].join('\n'));
  });

  it('loads only the modules, with default parameters, or nothing, when the command line gives the rest', async () => {
    const env = { DATABASE_URL, STRATEGY_MODULE: 'sma_cross', STRATEGY_PARAMS: '{"fast":30,"slow":10}' };
    expect((await loadStrategyProgramConfig('replay', env, 'modules')).strategies.map((s) => s.paramsKey)).toEqual(['allowShort=false,confirmBars=1,fast=10,slow=30']);
    expect((await loadStrategyProgramConfig('replay', { ...env, STRATEGY_MODULE: 'nope' }, 'none')).strategies).toEqual([]);
    expect(await messageOf(() => loadStrategyProgramConfig('replay', { ...env, STRATEGY_MODULE: 'nope' }, 'modules'))).toBe([
      'Invalid configuration (1 variable):',
      '  STRATEGY_MODULE: Unknown strategy "nope". Available: sma_cross, ema_cross, rsi_reversion, bollinger_breakout (or a module path)',
    ].join('\n'));
  });
});
