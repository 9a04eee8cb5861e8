/**
 * Lets through at most one log line per key per interval and counts the rest, so that a flood of bad frames
 * cannot flood the log (the metrics still count every one).
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, { lastMs: number; suppressed: number }>();

  constructor(intervalMs: number, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Calls `log` with the number of lines suppressed since the last one, or counts this one as suppressed. */
  run(key: string, log: (suppressed: number) => void): void {
    const now = this.#now();
    const entry = this.#keys.get(key);
    if (entry !== undefined && now - entry.lastMs < this.#intervalMs) {
      entry.suppressed += 1;
      return;
    }
    this.#keys.set(key, { lastMs: now, suppressed: 0 });
    log(entry?.suppressed ?? 0);
  }
}
