import { paramsKey } from '../../../strategies/paramsKey.js';
import { parseStrategyParams } from '../../../strategies/parseStrategyParams.js';
import { builtinStrategy } from '../../../strategies/registry.js';
import type { StrategyPlugin } from '../../../strategies/Strategy.js';
import type { EngineSettings, StrategyInstance } from '../EngineSettings.js';
import { MINUTE_US, SECOND_US } from './eventStreams.js';

export function instance(plugin: StrategyPlugin | string, params: Record<string, unknown> = {}): StrategyInstance {
  const p = typeof plugin === 'string' ? builtinStrategy(plugin) : plugin;
  const parsed = parseStrategyParams(p, params) as Record<string, unknown>;
  return { plugin: p, params: parsed, paramsKey: paramsKey(parsed) };
}

/** Test settings: 1- and 5-minute bars, 2 s lateness, two strategies with short windows. */
export function testSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    runId: 'test', intervalsUs: [MINUTE_US, 5 * MINUTE_US], allowedLatenessUs: 2 * SECOND_US, idleEvictUs: 30 * MINUTE_US,
    strategies: [instance('sma_cross', { fast: 2, slow: 4 }), instance('rsi_reversion', { period: 3, oversold: 40, overbought: 60, allowShort: true })],
    initialEquity: 10_000, feeBps: 10, slippageBps: 2, fillPrice: 'trade', maxClockSkewUs: 10 * SECOND_US, products: null, statWindows: [3, 10], daysPerYear: 365, riskFreeRate: 0, sortinoMar: 0, ...overrides,
  };
}
