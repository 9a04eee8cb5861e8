import type { SkippedCandles } from '../engine/core/EngineCore.js';
import type { PartitionRange } from './replayRange.js';

/** What a replay worker thread starts with (`workerData`): it plans the run itself from the same command line and environment. */
export interface ReplayWorkerData {
  readonly argv: readonly string[];
  readonly runId: string;
  /** Its Kafka consumer group and checkpoints' group. */
  readonly group: string;
  /** Its share of the partitions. */
  readonly ranges: readonly PartitionRange[];
}

/** A worker's messages to the main thread. */
export type ReplayWorkerMessage =
  /** Offsets read of its ranges. */
  | { readonly kind: 'progress'; readonly read: bigint }
  /** It saw products it had not seen before: it waits for `handled` before going on. */
  | { readonly kind: 'seen'; readonly products: readonly string[] }
  | { readonly kind: 'done'; readonly records: number; readonly complete: boolean; readonly skippedCandles: readonly SkippedCandles[]; readonly productsSeen: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string; readonly stack: string | undefined };

/** The main thread's messages to a worker. */
export type ReplayMainMessage =
  /** The products it reported are recorded (the run's rows exist once one of them was selected). */
  | { readonly kind: 'handled' }
  /** Commit what was read and stop (Ctrl-C, or another worker failed). */
  | { readonly kind: 'interrupt' };
