import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, retryDelayMs } from './retryDelayMs.js';

const policy = { baseMs: 500, maxMs: 30_000 };

describe('retryDelayMs', () => {
  it('honours Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3)', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(retryDelayMs(0, policy, '3', now)).toBe(3000);
    expect(retryDelayMs(5, policy, 'Mon, 30 Nov 2026 12:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('Mon, 30 Nov 2026 11:00:00 GMT', now), 'a date in the past: at once').toBe(0);
  });

  it('backs off exponentially with equal jitter without (or with an unreadable) Retry-After', () => {
    expect(retryDelayMs(0, policy, null, 0, () => 0)).toBe(250);
    expect(retryDelayMs(0, policy, null, 0, () => 1)).toBe(500);
    expect(retryDelayMs(3, policy, 'soon', 0, () => 0)).toBe(2000); // cap 500 · 2³ = 4000, lower half 2000
    expect(retryDelayMs(20, policy, null, 0, () => 1)).toBe(30_000);
  });
});
