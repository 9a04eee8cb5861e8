import type { EngineRecord } from '../core/EngineCore.js';

/** Consecutive records of one partition, as a source delivers them (a Kafka fetch, or a replay read). */
export interface SourceBatch {
  readonly partition: number;
  readonly records: readonly EngineRecord[];
  /** The partition's end offset when the batch was fetched (for lag). */
  readonly highWatermark: string;
  /** Keeps the consumer's group membership alive during long work (a database outage, say). */
  heartbeat(): Promise<void>;
  /** The source moved this partition since the batch was fetched (a seek): its records must not be used. */
  isStale(): boolean;
}

/** A batch and how to tell its source it was handled: the source fetches nothing more until then. */
export interface SourceEnvelope {
  readonly batch: SourceBatch;
  done(): void;
  fail(error: unknown): void;
}
