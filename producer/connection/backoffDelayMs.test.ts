import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoffDelayMs.js';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };

  it('doubles the cap per attempt and draws from its upper half', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, policy, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(1500);
  });

  it('stops growing at the maximum, even after very many attempts', () => {
    expect(backoffDelayMs(6, policy, () => 1)).toBe(30_000);
    expect(backoffDelayMs(10_000, policy, () => 0)).toBe(15_000);
  });
});
