import { describe, expect, it } from 'vitest';
import { TokenBucket } from './TokenBucket.js';

describe('TokenBucket', () => {
  it('lets a full burst go at once, then spaces reservations 1/rate apart', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([0, 0, 0].map(() => bucket.reserve(0))).toEqual([0, 0, 0]);
    // Empty: the 4th, 5th and 6th reservations wait for the tokens 100, 200 and 300 ms away.
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([100, 200, 300]);
  });

  it('refills lazily with the time passed, never beyond the burst (Coinbase\'s worked example: burst 3, rate 1)', () => {
    const bucket = new TokenBucket(1, 3, 0);
    expect(bucket.reserve(500)).toBe(0); // 3 → 2
    expect(bucket.reserve(800)).toBe(0); // min(3, 2 + 0.3) = 2.3 → 1.3
    expect(bucket.reserve(1000)).toBe(0); // 1.5 → 0.5
    expect(bucket.reserve(1000)).toBe(500); // 0.5 → -0.5: half a token, 500 ms, away
    expect(bucket.reserve(100_000)).toBe(0); // refilled to 3, not 99
    expect([bucket.reserve(100_000), bucket.reserve(100_000), bucket.reserve(100_000)]).toEqual([0, 0, 1000]);
  });

  it('holds a long run of reservations to the rate', () => {
    const bucket = new TokenBucket(10, 10, 0);
    const waits = Array.from({ length: 110 }, () => bucket.reserve(0));
    // 10 at once, then one every 100 ms: the 110th waits 10 s.
    expect(waits.at(-1)).toBe(10_000);
  });

  it('tryTake refuses without taking (the server side)', () => {
    const bucket = new TokenBucket(2, 1, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(499), bucket.tryTake(500)]).toEqual([true, false, false, true]);
  });

  it('refuses a rate or burst that could never grant a token', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0.5, 0)).toThrow(RangeError);
  });
});
