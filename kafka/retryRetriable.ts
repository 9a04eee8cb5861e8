import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from './isRetriable.js';

/**
 * How long to keep trying: attempts start until `deadlineMs` after the first one, with a back-off that
 * doubles from `initialBackoffMs` up to `maxBackoffMs` (no attempt starts after the deadline, but one that
 * started before it runs to its end, kafkajs's own retries included).
 */
export interface RetryPolicy {
  readonly deadlineMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** The time source of {@link retryRetriable}; tests pass a fake one. */
export interface RetryClock {
  now(): number;
  /** Rejects early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: RetryClock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, undefined, signal === undefined ? {} : { signal }) };

/** Thrown by {@link retryRetriable} when Kafka kept answering with retriable errors until the deadline. */
export class RetriesExhaustedError extends Error {
  readonly attempts: number;
  constructor(message: string, attempts: number, cause: unknown) {
    super(message, { cause });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
  }
}

/**
 * Runs `attempt` until it succeeds, again after each retriable error ({@link isRetriable}) while the policy
 * allows (`onRetry` hears of each such error first); a non-retriable error ends it at once, unchanged, and so
 * does `signal` (a program stopping while it starts), with its reason. Giving up throws a
 * {@link RetriesExhaustedError} naming `what` was not done, the attempts, and the last Kafka error.
 */
export async function retryRetriable<T>(what: string, attempt: () => Promise<T>, policy: RetryPolicy, hooks: {
  clock?: RetryClock; signal?: AbortSignal; onRetry?: (error: unknown, attempts: number, backoffMs: number) => void;
} = {}): Promise<T> {
  const clock = hooks.clock ?? realClock;
  const startedMs = clock.now();
  let backoffMs = policy.initialBackoffMs;
  for (let attempts = 1; ; attempts++) {
    hooks.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      if (!isRetriable(error) || hooks.signal?.aborted === true) throw error;
      const elapsedMs = clock.now() - startedMs;
      if (elapsedMs + backoffMs > policy.deadlineMs) {
        throw new RetriesExhaustedError(
          `${what}: gave up after ${attempts} attempts in ${elapsedMs} ms; last Kafka error: ${(error as Error).message}`, attempts, error);
      }
      hooks.onRetry?.(error, attempts, backoffMs);
      await clock.sleep(backoffMs, hooks.signal);
      backoffMs = Math.min(backoffMs * 2, policy.maxBackoffMs);
    }
  }
}
