import type { Logger } from 'pino';
import { formatDuration } from '../logging/formatDuration.js';

/** What may hold consumption back while no record is delivered. */
export interface Backlog {
  /** Records waiting in Kafka in the owned partitions; null while not known. */
  readonly waitingRecords: number | null;
  /** A database failure being retried (which pauses consumption): since when (ms), and the last error. */
  readonly databaseFailure: { readonly sinceMs: number; readonly error: string } | null;
}

export interface IdleReporterOptions {
  readonly logger: Logger;
  readonly topic: string;
  readonly group: string;
  /** The partitions this engine owns now. */
  readonly partitions: () => readonly number[];
  /** What holds consumption back now: an engine with records waiting, or stuck on its database, is not idle. */
  readonly backlog: () => Backlog;
  /** The first report, when no record arrived for this long since the start (or since the last record). */
  readonly firstAfterMs: number;
  /** Then one report this often while no record arrives. */
  readonly everyMs: number;
  readonly nowMs?: () => number;
}

/**
 * Says what the engine is waiting on while no record arrives, so that idle and stuck do not look alike: once
 * when no record arrived within `firstAfterMs` (of the start, or of the last record), then every `everyMs`
 * while none arrives, and once when records arrive again. Truly idle (nothing waiting in Kafka, the database
 * fine) is said at info level; paused (records waiting, or checkpoints failing) at warn level, with the cause.
 */
export class IdleReporter {
  readonly #o: IdleReporterOptions;
  readonly #now: () => number;
  readonly #startedAtMs: number;
  #lastRecordAtMs: number | null = null;
  #reportedAtMs: number | null = null;
  /** What the reports since the last record said held consumption back: the strongest cause wins. */
  #pausedOn: 'database' | 'backlog' | null = null;
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
      const { topic } = this.#o;
      const quietMs = now - (this.#lastRecordAtMs ?? this.#startedAtMs);
      const after = formatDuration(quietMs);
      const msg = this.#pausedOn === 'database' ? `records arriving on ${topic} again: consumption resumed once the database came back, after ${after} paused`
        : this.#pausedOn === 'backlog' ? `records arriving on ${topic} again: consumption resumed after ${after} paused with records waiting`
          : `records arriving on ${topic} again, after ${after} without`;
      this.#o.logger.info({ topic, idleMs: quietMs, pausedOn: this.#pausedOn }, msg);
    }
    this.#lastRecordAtMs = now;
    this.#reportedAtMs = null;
    this.#pausedOn = null;
  }

  /** Reports if it is time to (the timer calls it; tests call it with their clock). */
  check(): void {
    const now = this.#now();
    const since = this.#lastRecordAtMs ?? this.#startedAtMs;
    const idleMs = now - since;
    const due = this.#reportedAtMs === null ? idleMs >= this.#o.firstAfterMs : now - this.#reportedAtMs >= this.#o.everyMs;
    if (!due) return;
    const { topic, group } = this.#o;
    const partitions = [...this.#o.partitions()].sort((a, b) => a - b);
    const owned = partitions.length === 0 ? 'no partition assigned yet' : `partition${partitions.length === 1 ? '' : 's'} ${partitions.join(', ')}`;
    const none = (what: string) => this.#lastRecordAtMs === null ? `${what} since the engine started ${formatDuration(idleMs)} ago` : `${what} for ${formatDuration(idleMs)}`;
    const { waitingRecords, databaseFailure } = this.#o.backlog();
    const fields = { topic, group, partitions, idleMs, waitingRecords };
    if (databaseFailure !== null) {
      this.#pausedOn = 'database';
      const waiting = waitingRecords === null ? '' : `; ${waitingLine(waitingRecords)}`;
      this.#o.logger.warn({ ...fields, databaseFailingSinceMs: databaseFailure.sinceMs, databaseError: databaseFailure.error },
        `consumption paused on ${topic} (${owned}, group ${group}): checkpoints failing since ${new Date(databaseFailure.sinceMs).toISOString()} (${databaseFailure.error})${waiting}`);
    } else if (waitingRecords !== null && waitingRecords > 0) {
      this.#pausedOn ??= 'backlog';
      this.#o.logger.warn(fields, `consumption paused on ${topic} (${owned}, group ${group}): ${waitingLine(waitingRecords)}, ${none('none delivered')}`);
    } else {
      this.#o.logger.info(fields, `waiting for records on ${topic} (${owned}, group ${group}): ${none('none')}`);
    }
    this.#reportedAtMs = now;
  }
}

function waitingLine(records: number): string {
  return records === 0 ? 'no record waiting' : `${records} record${records === 1 ? '' : 's'} waiting`;
}
