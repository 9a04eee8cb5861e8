/** A partition's offsets in the broker, as kafkajs `admin.fetchTopicOffsets` returns them. */
export interface PartitionEnds {
  readonly partition: number;
  /** The first offset still stored (older records were deleted by retention). */
  readonly low: string;
  /** The offset the next record written will get (the high watermark). */
  readonly high: string;
}

/** Where the engine is in a partition it owns. */
export interface PartitionPosition {
  readonly partition: number;
  /** The next offset the engine processes; null before the first record of a never-checkpointed partition. */
  readonly nextOffset: string | null;
}

/**
 * Records waiting for the engine in each partition it owns: the broker's end offset minus the engine's next
 * offset. Measured from the broker rather than from the last batch, so that the lag keeps growing while
 * the engine receives no batch at all (consumption paused on the database).
 *
 * A partition without a position yet (never checkpointed, no record processed) is counted from where the
 * engine starts it, as `ENGINE_START_FROM` says: the first stored record (`earliest`), or the end at the
 * time of the seek (`latest`, whose later records are then not counted until the first one is processed).
 * Records deleted by retention are not waiting; partitions the broker did not report are left out.
 */
export function consumerLag(
  ends: readonly PartitionEnds[], positions: readonly PartitionPosition[], startFrom: 'earliest' | 'latest',
): Map<number, number> {
  const lag = new Map<number, number>();
  for (const { partition, nextOffset } of positions) {
    const end = ends.find((e) => e.partition === partition);
    if (end === undefined) continue;
    const low = BigInt(end.low);
    const high = BigInt(end.high);
    const start = nextOffset !== null ? BigInt(nextOffset) : startFrom === 'earliest' ? low : high;
    const from = start > low ? start : low;
    lag.set(partition, from >= high ? 0 : Number(high - from));
  }
  return lag;
}
