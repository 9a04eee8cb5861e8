import { backoffDelayMs, type BackoffPolicy } from '../../producer/connection/backoffDelayMs.js';

export type { BackoffPolicy };

/**
 * The delay before retry `attempt` (0-based) of a request that failed retriably: a 429's `Retry-After`
 * when it has one (delta-seconds or an HTTP date, RFC 9110 §10.2.3), never less than 0; otherwise
 * exponential back-off with equal jitter (the producer's reconnect policy).
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, retryAfter: string | null, nowMs: number, random: () => number = Math.random): number {
  const honoured = retryAfter === null ? null : parseRetryAfterMs(retryAfter, nowMs);
  return honoured ?? backoffDelayMs(attempt, policy, random);
}

/** `Retry-After` in ms from `nowMs`, or null when the header is neither delta-seconds nor an HTTP date. */
export function parseRetryAfterMs(value: string, nowMs: number): number | null {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
