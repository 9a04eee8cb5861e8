import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from './RecentIds.js';

describe('RecentIds', () => {
  it('refuses an id already in the window and forgets the oldest beyond its capacity', () => {
    const ids = new RecentIds(3);
    expect(['1', '2', '1', '3', '4', '1', '4'].map((id) => ids.add(id))).toEqual([true, true, false, true, true, true, false]);
    expect(ids.snapshot(), 'oldest first: 1 was forgotten when 4 came, then seen anew').toEqual(['3', '4', '1']);
  });

  it('restores from its snapshot to the same window', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }).map(String)), fc.array(fc.integer({ min: 0, max: 20 }).map(String)), (first, then) => {
      const unbroken = new RecentIds(5);
      first.forEach((id) => unbroken.add(id));
      const restored = new RecentIds(5, unbroken.snapshot());
      expect(then.map((id) => restored.add(id))).toEqual(then.map((id) => unbroken.add(id)));
      expect(restored.snapshot()).toEqual(unbroken.snapshot());
    }));
  });
});
