import type { Logger } from 'pino';
import { formatDuration } from '../logging/formatDuration.js';

export interface IdleReporterOptions {
  readonly logger: Logger;
  readonly topic: string;
  readonly group: string;
  /** The partitions this engine owns now. */
  readonly partitions: () => readonly number[];
  /** The first report, when no record arrived for this long since the start (or since the last record). */
  readonly firstAfterMs: number;
  /** Then one report this often while no record arrives. */
  readonly everyMs: number;
  readonly nowMs?: () => number;
}

/**
 * Says, at info level, that the engine is waiting and on what, so that an idle engine does not look stuck:
 * once when no record arrived within `firstAfterMs` (of the start, or of the last record), then every
 * `everyMs` while none arrives, and once when records arrive again.
 */
export class IdleReporter {
  readonly #o: IdleReporterOptions;
  readonly #now: () => number;
  readonly #startedAtMs: number;
  #lastRecordAtMs: number | null = null;
  #reportedAtMs: number | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: IdleReporterOptions) {
    this.#o = options;
    this.#now = options.nowMs ?? Date.now;
    this.#startedAtMs = this.#now();
  }

  /** Checks every second until {@link stop}. */
  start(): void {
    this.#timer ??= setInterval(() => { this.check(); }, 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A batch of `records` arrived. */
  received(records: number): void {
    if (records === 0) return;
    const now = this.#now();
    if (this.#reportedAtMs !== null) {
      const since = this.#lastRecordAtMs ?? this.#startedAtMs;
      this.#o.logger.info({ topic: this.#o.topic, idleMs: now - since }, `records arriving on ${this.#o.topic} again, after ${formatDuration(now - since)} without`);
    }
    this.#lastRecordAtMs = now;
    this.#reportedAtMs = null;
  }

  /** Reports if it is time to (the timer calls it; tests call it with their clock). */
  check(): void {
    const now = this.#now();
    const since = this.#lastRecordAtMs ?? this.#startedAtMs;
    const idleMs = now - since;
    const due = this.#reportedAtMs === null ? idleMs >= this.#o.firstAfterMs : now - this.#reportedAtMs >= this.#o.everyMs;
    if (!due) return;
    const partitions = [...this.#o.partitions()].sort((a, b) => a - b);
    const owned = partitions.length === 0 ? 'no partition assigned yet' : `partition${partitions.length === 1 ? '' : 's'} ${partitions.join(', ')}`;
    const what = this.#lastRecordAtMs === null ? `none since the engine started ${formatDuration(idleMs)} ago` : `none for ${formatDuration(idleMs)}`;
    this.#o.logger.info({ topic: this.#o.topic, group: this.#o.group, partitions, idleMs },
      `waiting for records on ${this.#o.topic} (${owned}, group ${this.#o.group}): ${what}`);
    this.#reportedAtMs = now;
  }
}
