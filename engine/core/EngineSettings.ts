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

export const FILL_PRICE_RULES = ['trade', 'quote'] as const;
export type FillPriceRule = (typeof FILL_PRICE_RULES)[number];

/** Everything the engine core computes with: no I/O, no clock, so live runs and replays agree. */
export interface EngineSettings {
  /** Results carry it: the live run of the engine's consumer group (`live`, `live-2`, …), or a replay's run id. */
  readonly runId: string;
  /** Bar intervals in µs, ascending; each a multiple of the first, so that buckets nest. */
  readonly intervalsUs: readonly number[];
  /** Watermark = the partition's largest event time − this. */
  readonly allowedLatenessUs: number;
  /**
   * A product without any event (heartbeats included) for this long, in event time, leaves memory: its state
   * becomes dormant in the checkpoint store and is restored when it returns.
   */
  readonly idleEvictUs: number;
  readonly strategies: readonly StrategyInstance[];
  readonly initialEquity: number;
  readonly feeBps: number;
  readonly slippageBps: number;
  /**
   * What a simulated order fills at: `trade`, the first trade of the product at or after the decision time;
   * `quote`, the best ask (buys) or bid (sells) of the first quote at or after it. See docs/conventions.md.
   */
  readonly fillPrice: FillPriceRule;
  /** A record whose exchange time is more than this ahead of its receipt time is dead-lettered (`clock_skew`). */
  readonly maxClockSkewUs: number;
  /**
   * Only these products are computed (a replay's `--products`); null computes every product. Every record
   * still moves the watermark, so a filtered replay decides lateness exactly as the unfiltered live run did.
   */
  readonly products: ReadonlySet<string> | null;
  /** Rolling statistics windows, in bars. */
  readonly statWindows: readonly number[];
  /**
   * Annualisation: trading days per year (365 for a 24/7 market). Bars per year follow from it for each
   * interval, so one setting is right for every interval.
   */
  readonly daysPerYear: number;
  /** Annual risk-free rate, a fraction (0.04 = 4 %): Sharpe uses the returns in excess of it (per bar). */
  readonly riskFreeRate: number;
  /** Annual minimum acceptable return of Sortino, a fraction (empyrical's `required_return`, per bar). */
  readonly sortinoMar: number;
  /**
   * Keep event time (the watermark) per product instead of per partition: for history (`prices.history`),
   * which is in event-time order per product but not across the products of a partition (the backfill writes
   * them side by side). A product's bars then close on its own records only, and no product is evicted.
   * Absent or false: per partition, as the live feed needs (a quiet product's bars close on the others' events).
   */
  readonly eventTimePerProduct?: boolean;
  /**
   * Results recorded every this many µs of event time instead of at every bar (a replay's `--record-every`):
   * a bar's `bars` and `strategy_metrics` rows are written when its end is a multiple of it (UTC), and each
   * instance's last bar when the run stops (`EngineCore.recordLatest`), so the last rows, and every row written,
   * equal those of a run recording every bar. Signals and fills are always all written. A multiple of every
   * interval. Absent or 0: every bar (the live engine).
   */
  readonly recordEveryUs?: number;
}

/** Whether a bar ending at `barEndUs` is written at once under `settings.recordEveryUs`. */
export function recordsBar(settings: Pick<EngineSettings, 'recordEveryUs'>, barEndUs: number): boolean {
  const every = settings.recordEveryUs ?? 0;
  return every === 0 || barEndUs % every === 0;
}

const DAY_US = 86_400 * 1_000_000;

/** Bars of this interval per year: days per year · 86 400 s / interval (525 600 for 1-minute bars at 365 days). */
export function periodsPerYear(settings: Pick<EngineSettings, 'daysPerYear'>, intervalUs: number): number {
  return (settings.daysPerYear * DAY_US) / intervalUs;
}
