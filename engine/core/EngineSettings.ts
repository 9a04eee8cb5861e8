import type { StrategyPlugin } from '../../strategies/Strategy.js';

/** One configured strategy with one parameter set: it runs for every product and bar interval. */
export interface StrategyInstance {
  readonly plugin: StrategyPlugin;
  readonly params: Readonly<Record<string, unknown>>;
  /** Canonical name of the parameters (see strategies/paramsKey.ts). */
  readonly paramsKey: string;
  /** The run its results belong to, when not the engine's (each combination of a parameter sweep is a run). */
  readonly runId?: string;
}

/** Everything the engine core computes with: no I/O, no clock, so live runs and replays agree. */
export interface EngineSettings {
  /** Results carry it: `live` for the live engine, a run id for replays. */
  readonly runId: string;
  /** Bar intervals in µs, ascending; each a multiple of the first, so that buckets nest. */
  readonly intervalsUs: readonly number[];
  /** Watermark = the partition's largest event time − this. */
  readonly allowedLatenessUs: number;
  /** A product without any event (heartbeats included) for this long, in event time, is forgotten. */
  readonly idleEvictUs: number;
  readonly strategies: readonly StrategyInstance[];
  readonly initialEquity: number;
  readonly feeBps: number;
  readonly slippageBps: number;
  /** Rolling statistics windows, in bars. */
  readonly statWindows: readonly number[];
  /** Bars per year by interval; null derives it from the interval (24/7 market). */
  readonly periodsPerYear: number | null;
}

const YEAR_US = 365 * 86_400 * 1_000_000;

export function periodsPerYear(settings: EngineSettings, intervalUs: number): number {
  return settings.periodsPerYear ?? YEAR_US / intervalUs;
}
