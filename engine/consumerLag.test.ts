import { describe, expect, it } from 'vitest';
import { consumerLag } from './consumerLag.js';

describe('consumerLag', () => {
  const ends = [
    { partition: 0, low: '0', high: '1794' },
    { partition: 1, low: '100', high: '500' },
    { partition: 2, low: '0', high: '40' },
  ];

  it('counts the records between the engine\'s next offset and the broker\'s end, per owned partition', () => {
    expect(consumerLag(ends, [{ partition: 0, nextOffset: '356' }, { partition: 2, nextOffset: '40' }], 'earliest'))
      .toEqual(new Map([[0, 1438], [2, 0]]));
  });

  it('counts a partition without a position from where the engine starts it', () => {
    const positions = [{ partition: 1, nextOffset: null }];
    expect(consumerLag(ends, positions, 'earliest'), 'from the first stored record').toEqual(new Map([[1, 400]]));
    expect(consumerLag(ends, positions, 'latest'), 'from the end').toEqual(new Map([[1, 0]]));
  });

  it('does not count records deleted by retention, never goes below zero, and leaves out partitions the broker did not report', () => {
    expect(consumerLag(ends, [{ partition: 1, nextOffset: '20' }, { partition: 2, nextOffset: '45' }, { partition: 7, nextOffset: '3' }], 'earliest'))
      .toEqual(new Map([[1, 400], [2, 0]]));
  });
});
