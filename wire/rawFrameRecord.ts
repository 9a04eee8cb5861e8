import type { Source } from './MarketEvent.js';
import type { WireRecord } from './WireRecord.js';

/** A WebSocket frame as received, before any parsing. */
export interface RawFrame {
  readonly source: Source;
  /** Identifies the WebSocket connection (sequence numbers are per connection). */
  readonly connectionId: string;
  readonly receivedAtUs: number;
  readonly payload: Buffer;
}

/**
 * The `prices.raw` record of a frame: its exact bytes, keyed by source so that one source's frames stay in
 * arrival order in one partition; the record timestamp is the receipt time.
 */
export function rawFrameRecord(frame: RawFrame): WireRecord {
  return {
    key: frame.source,
    value: frame.payload,
    headers: { 'received-at-us': String(frame.receivedAtUs), 'connection-id': frame.connectionId },
    timestampMs: Math.floor(frame.receivedAtUs / 1000),
  };
}

/** Reads a `prices.raw` record back into the frame it recorded. */
export function readRawFrameRecord(record: WireRecord): RawFrame {
  return {
    source: record.key as Source,
    connectionId: record.headers['connection-id'] ?? '',
    receivedAtUs: Number(record.headers['received-at-us']),
    payload: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value),
  };
}
