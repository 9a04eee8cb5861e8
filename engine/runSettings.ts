import { formatDurationSeconds } from '../config/parseDuration.js';
import type { EngineSettings } from './core/EngineSettings.js';

/**
 * The settings a run's results depend on, in the configuration's own terms: what `strategy_runs.settings`
 * records, and what decides whether a restarted live engine continues its run or starts a new one. Settings
 * that cannot change a result (idle eviction, checkpoint timing, the group) are not in it.
 */
export interface RunSettings {
  /** The topic read (`KAFKA_TOPIC_PREFIX` + `prices.normalized`, or the history topic): other records, other results. */
  readonly topic: string;
  readonly ENGINE_INTERVALS: string;
  readonly ENGINE_ALLOWED_LATENESS_MS: number;
  readonly ENGINE_MAX_CLOCK_SKEW_MS: number;
  readonly ENGINE_INITIAL_EQUITY: number;
  readonly ENGINE_FEE_BPS: number;
  readonly ENGINE_SLIPPAGE_BPS: number;
  readonly ENGINE_FILL_PRICE: string;
  readonly ENGINE_STAT_WINDOWS: string;
  readonly ENGINE_DAYS_PER_YEAR: number;
  readonly ENGINE_RISK_FREE_RATE: number;
  readonly ENGINE_SORTINO_MAR: number;
  /** Each instance as `id@version(params)`, sorted: the order strategies are listed in changes nothing. */
  readonly strategies: readonly string[];
}

/** The settings of a run of `settings` reading `topic`. */
export function runSettings(settings: EngineSettings, topic: string): RunSettings {
  return {
    topic,
    ENGINE_INTERVALS: settings.intervalsUs.map((us) => formatDurationSeconds(us / 1e6)).join(','),
    ENGINE_ALLOWED_LATENESS_MS: settings.allowedLatenessUs / 1000,
    ENGINE_MAX_CLOCK_SKEW_MS: settings.maxClockSkewUs / 1000,
    ENGINE_INITIAL_EQUITY: settings.initialEquity,
    ENGINE_FEE_BPS: settings.feeBps,
    ENGINE_SLIPPAGE_BPS: settings.slippageBps,
    ENGINE_FILL_PRICE: settings.fillPrice,
    ENGINE_STAT_WINDOWS: [...settings.statWindows].sort((a, b) => a - b).join(','),
    ENGINE_DAYS_PER_YEAR: settings.daysPerYear,
    ENGINE_RISK_FREE_RATE: settings.riskFreeRate,
    ENGINE_SORTINO_MAR: settings.sortinoMar,
    strategies: settings.strategies.map((s) => `${s.plugin.id}@${s.plugin.version}(${s.paramsKey})`).sort(),
  };
}

const show = (value: unknown): string => {
  if (value === undefined) return '(not recorded)';
  if (Array.isArray(value)) return value.join(' ') || '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
};

/**
 * Every setting that differs between a run's recorded settings and these, as `NAME: old → new`, in a fixed
 * order; empty when the run can go on. Settings recorded in an older form count as changed.
 */
export function settingsChanges(recorded: unknown, current: RunSettings): string[] {
  const before = (recorded !== null && typeof recorded === 'object' ? recorded : {}) as Record<string, unknown>;
  return Object.entries(current).flatMap(([name, value]) =>
    JSON.stringify(before[name]) === JSON.stringify(value) ? [] : [`${name}: ${show(before[name])} → ${show(value)}`]);
}
