import type { PartitionRange } from './replayRange.js';

/**
 * The ranges holding records, shared among at most `workers` workers so that each reads about as many
 * records: largest first, each to the worker with the fewest so far (ties: the lower worker, and ranges of
 * equal size by partition). A partition is never split: its products' state is ordered by its offsets.
 * Returns one non-empty list per worker used, each in partition order; none when no range holds a record.
 */
export function shareRanges(ranges: readonly PartitionRange[], workers: number): PartitionRange[][] {
  const nonEmpty = ranges.filter((r) => r.end > r.start)
    .sort((a, b) => (b.end - b.start > a.end - a.start ? 1 : b.end - b.start < a.end - a.start ? -1 : a.partition - b.partition));
  const shares = Array.from({ length: Math.min(Math.max(1, workers), nonEmpty.length) }, () => ({ records: 0n, ranges: [] as PartitionRange[] }));
  for (const range of nonEmpty) {
    const least = shares.reduce((min, s) => (s.records < min.records ? s : min));
    least.ranges.push(range);
    least.records += range.end - range.start;
  }
  return shares.map((s) => s.ranges.sort((a, b) => a.partition - b.partition));
}
