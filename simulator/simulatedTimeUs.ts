/** How the simulated market's event time follows the wall clock. */
export interface SimulatedTimeOptions {
  /** Wall-clock time at which the simulation started, µs since the epoch. */
  readonly wallStartUs: number;
  /** How far behind the wall clock the market opens (its recent history), µs. */
  readonly historyUs: number;
  /** How many times faster than the wall clock event time runs while it is behind (≥ 1). */
  readonly speed: number;
}

/**
 * The market's event time at wall-clock time `wallUs`: it opens `historyUs` in the past, runs `speed` times
 * as fast as the wall clock until it has caught up with it, and then runs with it, never ahead. Never ahead
 * matters: the engine dead-letters records whose exchange time is ahead of their receipt (`clock_skew`), and
 * bars close as event time passes, so a demo shows its first bars and signals within a minute or two and
 * then goes on in real time.
 */
export function simulatedTimeUs(wallUs: number, options: SimulatedTimeOptions): number {
  const elapsedUs = Math.max(0, wallUs - options.wallStartUs);
  const behindUs = Math.max(0, options.historyUs - (options.speed - 1) * elapsedUs);
  return Math.round(wallUs - behindUs);
}

/** Wall-clock time (µs, from the start) at which the simulated market has caught up with the wall clock. */
export function catchUpUs(options: Pick<SimulatedTimeOptions, 'historyUs' | 'speed'>): number {
  if (options.historyUs <= 0) return 0;
  return options.speed <= 1 ? Number.POSITIVE_INFINITY : options.historyUs / (options.speed - 1);
}
