import type { MarketEvent } from '../../wire/MarketEvent.js';
import type { TopicRole } from '../../wire/topics.js';
import type { WireRecord } from '../../wire/WireRecord.js';

/** One received frame's Kafka records, queued together so that overflow drops a frame whole. */
export interface QueuedFrame {
  readonly receivedAtUs: number;
  readonly records: readonly { readonly topic: TopicRole; readonly record: WireRecord }[];
  /** The normalized events among the records, counted by product once Kafka acknowledges them. */
  readonly events: readonly MarketEvent[];
}

/** Approximate memory held by a queued frame: payload bytes plus a fixed allowance per record. */
export function queuedFrameBytes(frame: QueuedFrame): number {
  let bytes = 0;
  for (const { record } of frame.records) bytes += record.value.length + record.key.length + 256;
  return bytes;
}
