import type { Admin } from 'kafkajs';
import type { RangeBound } from './parseReplayArgs.js';

/** The records of one partition a replay reads: offsets `[start, end)`. */
export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
}

/** A range that the topic cannot serve (unknown partitions, offsets outside what it holds, backwards). */
export class ReplayRangeError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ReplayRangeError';
    this.problems = problems;
  }
}

/** What the topic holds per partition: offsets `[low, high)`. */
export interface PartitionExtent {
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * The ranges from resolved start and end offsets per partition (partitions a bound does not name take the
 * extent's low or high). Checks every partition and offset against what the topic holds.
 */
export function replayRanges(extents: readonly PartitionExtent[], starts: ReadonlyMap<number, bigint>, ends: ReadonlyMap<number, bigint>): PartitionRange[] {
  const problems: string[] = [];
  const known = new Set(extents.map((e) => e.partition));
  for (const [name, offsets] of [['--from', starts], ['--to', ends]] as const) {
    for (const partition of offsets.keys()) {
      if (!known.has(partition)) problems.push(`${name}: the topic has no partition ${partition} (it has ${[...known].sort((a, b) => a - b).join(', ')})`);
    }
  }
  const ranges = [...extents].sort((a, b) => a.partition - b.partition).map(({ partition, low, high }) => {
    const start = starts.get(partition) ?? low;
    const end = ends.get(partition) ?? high;
    // Offsets are Kafka's: `end` is exclusive, so either bound may be the partition's end (`high`).
    const holds = high > low ? `holds offsets ${low} to ${high - 1n}` : `holds no records (its offsets start and end at ${high})`;
    const badStart = start < low || start > high;
    const badEnd = end < low || end > high;
    if (badStart) problems.push(`--from: partition ${partition} ${holds}: --from takes ${low} to ${high}, not ${start}`);
    if (badEnd) problems.push(`--to: partition ${partition} ${holds}: --to (exclusive) takes ${low} to ${high}, not ${end}`);
    if (!badStart && !badEnd && start > end) problems.push(`partition ${partition}: the range starts at ${start}, after its end ${end}`);
    return { partition, start, end };
  });
  if (problems.length > 0) throw new ReplayRangeError(problems);
  return ranges;
}

async function offsetsOf(admin: Admin, topic: string, bound: RangeBound | null, extents: readonly PartitionExtent[]): Promise<Map<number, bigint>> {
  if (bound === null) return new Map();
  if (bound.kind === 'offsets') return new Map(bound.offsets);
  const found = await admin.fetchTopicOffsetsByTimestamp(topic, bound.ms);
  // No record at or after the time: the partition's end (as captured, so that the range stays bounded).
  return new Map(found.map(({ partition, offset }) => {
    const high = extents.find((e) => e.partition === partition)?.high ?? 0n;
    const at = BigInt(offset);
    return [partition, at < 0n || at > high ? high : at];
  }));
}

/** Resolves a replay's bounds against the topic now: the end offsets are fixed here, so the run is bounded. */
export async function resolveReplayRange(admin: Admin, topic: string, from: RangeBound | null, to: RangeBound | null): Promise<PartitionRange[]> {
  const extents = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
  return replayRanges(extents, await offsetsOf(admin, topic, from, extents), await offsetsOf(admin, topic, to, extents));
}
