import { describe, expect, it } from 'vitest';
import { EXACT_TIMESTAMPS } from './exactTimestamps.js';

describe('EXACT_TIMESTAMPS', () => {
  it('passes a microsecond timestamp through (postgres.js\'s own serializer cuts it to milliseconds)', () => {
    expect(EXACT_TIMESTAMPS.date.serialize('2026-11-30T10:00:00.123456Z')).toBe('2026-11-30T10:00:00.123456Z');
    expect(EXACT_TIMESTAMPS.date.serialize(new Date(Date.UTC(2026, 10, 30, 10, 0, 0, 123)))).toBe('2026-11-30T10:00:00.123Z');
    expect(EXACT_TIMESTAMPS.date.parse('2026-11-30 10:00:00.123456+00').getTime()).toBe(Date.UTC(2026, 10, 30, 10, 0, 0, 123));
  });
});
