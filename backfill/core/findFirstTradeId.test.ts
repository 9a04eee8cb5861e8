import { describe, expect, it } from 'vitest';
import { findFirstTradeId, tradePage, type TradeMark } from './findFirstTradeId.js';

/** Trades 100..1099, trade i at time 10·i µs, except ids 500..599 at 5000 (a burst in one instant). */
const ids = Array.from({ length: 1000 }, (_, i) => 100 + i);
const timeOf = (id: number) => (id >= 500 && id < 600 ? 5000 : 10 * id);
const probe = (calls: number[]) => (after: number): Promise<TradeMark | null> => {
  calls.push(after);
  const below = ids.filter((i) => i < after).at(-1);
  return Promise.resolve(below === undefined ? null : { id: below, timeUs: timeOf(below) });
};

describe('findFirstTradeId', () => {
  it('finds the first trade at or after a time by bisecting id cursors', async () => {
    const calls: number[] = [];
    expect(await findFirstTradeId(probe(calls), { id: 1099, timeUs: timeOf(1099) }, 7005)).toBe(701);
    expect(calls.length, 'about log2(1099) probes').toBeLessThanOrEqual(11);
    expect(await findFirstTradeId(probe([]), { id: 1099, timeUs: timeOf(1099) }, 5000)).toBe(500);
  });

  it('starts at the oldest trade for a time before it, and finds nothing after the newest', async () => {
    expect(await findFirstTradeId(probe([]), { id: 1099, timeUs: timeOf(1099) }, 0)).toBe(100);
    expect(await findFirstTradeId(probe([]), { id: 1099, timeUs: timeOf(1099) }, 10_991)).toBeNull();
  });
});

describe('tradePage', () => {
  it('walks forward in pages of 1000 ids with after-cursors just above each page', () => {
    expect(tradePage(5001, 0, 7500)).toEqual({ after: 6001, fromId: 5001, toId: 6000 });
    expect(tradePage(5001, 2, 7500)).toEqual({ after: 7501, fromId: 7001, toId: 7500 });
    expect(tradePage(5001, 3, 7500)).toBeNull();
  });
});
