import type { ProgramConfig } from '../config/loadProgramConfig.js';
import { parseDurationUs } from '../config/parseDuration.js';
import type { EngineSettings, StrategyInstance } from './core/EngineSettings.js';

/** The run id of the live engine's results (replays have their own). */
export const LIVE_RUN_ID = 'live';

/** The configuration the engine core's settings come from (the engine's and the replay's). */
export type EngineSettingsConfig = Pick<ProgramConfig<'engine'>, 'ENGINE_INTERVALS' | 'ENGINE_ALLOWED_LATENESS_MS' | 'ENGINE_IDLE_EVICT_MS'
  | 'ENGINE_INITIAL_EQUITY' | 'ENGINE_FEE_BPS' | 'ENGINE_SLIPPAGE_BPS' | 'ENGINE_STAT_WINDOWS' | 'ENGINE_DAYS_PER_YEAR'
  | 'ENGINE_RISK_FREE_RATE' | 'ENGINE_SORTINO_MAR' | 'ENGINE_FILL_PRICE' | 'ENGINE_MAX_CLOCK_SKEW_MS'>;

/**
 * The engine core's settings from the engine program's configuration. `products`: compute only these (a
 * replay's `--products`); null computes every product.
 */
export function engineSettings(config: EngineSettingsConfig, strategies: readonly StrategyInstance[], runId = LIVE_RUN_ID,
  products: ReadonlySet<string> | null = null): EngineSettings {
  return {
    runId,
    intervalsUs: config.ENGINE_INTERVALS.map((i) => parseDurationUs(i) ?? 0).sort((a, b) => a - b),
    allowedLatenessUs: config.ENGINE_ALLOWED_LATENESS_MS * 1000,
    idleEvictUs: config.ENGINE_IDLE_EVICT_MS * 1000,
    strategies,
    initialEquity: config.ENGINE_INITIAL_EQUITY,
    feeBps: config.ENGINE_FEE_BPS,
    slippageBps: config.ENGINE_SLIPPAGE_BPS,
    fillPrice: config.ENGINE_FILL_PRICE,
    maxClockSkewUs: config.ENGINE_MAX_CLOCK_SKEW_MS * 1000,
    products,
    statWindows: config.ENGINE_STAT_WINDOWS,
    daysPerYear: config.ENGINE_DAYS_PER_YEAR,
    riskFreeRate: config.ENGINE_RISK_FREE_RATE,
    sortinoMar: config.ENGINE_SORTINO_MAR,
  };
}
