import { describe, expect, it } from 'vitest';
import { usToTimestamp } from './usToTimestamp.js';

describe('usToTimestamp', () => {
  it('keeps microseconds', () => {
    expect(usToTimestamp(Date.UTC(2026, 10, 21, 10, 0, 0, 123) * 1000 + 456)).toBe('2026-11-21T10:00:00.123456Z');
    expect(usToTimestamp(Date.UTC(2026, 10, 21) * 1000)).toBe('2026-11-21T00:00:00.000000Z');
  });
});
