import { describe, expect, it } from 'vitest';
import { shareRanges } from './shareRanges.js';

const r = (partition: number, start: bigint, end: bigint) => ({ partition, start, end });

describe('shareRanges', () => {
  it('gives each worker about as many records, largest range first, never splitting a partition', () => {
    // 900, 500, 450, 100 records: worker 0 takes 900; worker 1 takes 500, then 450 (950); worker 0 then 100 (1 000).
    expect(shareRanges([r(0, 0n, 500n), r(1, 100n, 1000n), r(2, 0n, 450n), r(3, 0n, 100n)], 2)).toEqual([
      [r(1, 100n, 1000n), r(3, 0n, 100n)],
      [r(0, 0n, 500n), r(2, 0n, 450n)],
    ]);
  });

  it('uses no more workers than ranges holding records, and none for an empty range', () => {
    expect(shareRanges([r(0, 5n, 5n), r(1, 0n, 10n), r(2, 0n, 10n)], 8)).toEqual([[r(1, 0n, 10n)], [r(2, 0n, 10n)]]);
    expect(shareRanges([r(0, 5n, 5n)], 2)).toEqual([]);
    expect(shareRanges([r(0, 0n, 3n), r(1, 0n, 4n)], 1)).toEqual([[r(0, 0n, 3n), r(1, 0n, 4n)]]);
  });

  it('breaks ties by partition, so that the same ranges are always shared the same way', () => {
    expect(shareRanges([r(2, 0n, 10n), r(0, 0n, 10n), r(1, 0n, 10n)], 2)).toEqual([[r(0, 0n, 10n), r(2, 0n, 10n)], [r(1, 0n, 10n)]]);
  });
});
