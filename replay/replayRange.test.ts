import { describe, expect, it } from 'vitest';
import { ReplayRangeError, replayRanges } from './replayRange.js';

const extents = [{ partition: 1, low: 0n, high: 500n }, { partition: 0, low: 100n, high: 900n }];

describe('replayRanges', () => {
  it('takes the named offsets, and the partition\'s extent for the others', () => {
    expect(replayRanges(extents, new Map([[0, 150n]]), new Map([[1, 400n]]))).toEqual([
      { partition: 0, start: 150n, end: 900n },
      { partition: 1, start: 0n, end: 400n },
    ]);
    expect(replayRanges(extents, new Map(), new Map())).toEqual([{ partition: 0, start: 100n, end: 900n }, { partition: 1, start: 0n, end: 500n }]);
  });

  it('reports a start past the end once, not also as a range running backwards', () => {
    expect(() => replayRanges([{ partition: 0, low: 0n, high: 46_806n }], new Map([[0, 46_807n]]), new Map())).toThrow(
      new ReplayRangeError(['--from: partition 0 holds offsets 0 to 46805: --from takes 0 to 46806, not 46807']));
  });

  it('says so of a partition holding no records', () => {
    expect(() => replayRanges([{ partition: 0, low: 0n, high: 0n }], new Map(), new Map([[0, 5n]]))).toThrow(
      '--to: partition 0 holds no records (its offsets start and end at 0): --to (exclusive) takes 0 to 0, not 5');
  });

  it('names every offset the topic cannot serve', () => {
    let problems: readonly string[] = [];
    try {
      replayRanges(extents, new Map([[0, 50n], [7, 0n], [1, 450n]]), new Map([[0, 1000n], [1, 400n]]));
    } catch (error) {
      if (!(error instanceof ReplayRangeError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      '--from: the topic has no partition 7 (it has 0, 1)',
      '--from: partition 0 holds offsets 100 to 899: --from takes 100 to 900, not 50',
      '--to: partition 0 holds offsets 100 to 899: --to (exclusive) takes 100 to 900, not 1000',
      'partition 1: the range starts at 450, after its end 400',
    ]);
  });
});
