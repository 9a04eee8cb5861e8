import type { WireRecord } from './WireRecord.js';

/** Why a frame or record was set aside. */
export const DEAD_LETTER_REASONS = {
  /** Not valid JSON (or not UTF-8 text). */
  unparseable: 'unparseable',
  /** JSON that breaks the schema of its channel or message type; `detail` names the field. */
  schema: 'schema',
  /** Valid JSON of a channel or message type the feed does not handle. */
  unknown: 'unknown',
  /** Larger than `COINBASE_MAX_FRAME_BYTES`; kept whole, never parsed. */
  oversized: 'oversized',
  /** A binary WebSocket frame (Coinbase sends only text). */
  binary: 'binary',
  /** A `prices.normalized` record the engine could not decode. */
  undecodable: 'undecodable',
  /** A `prices.normalized` record whose exchange time is implausibly far ahead of its receipt time. */
  clock_skew: 'clock_skew',
  /** A candle the engine cannot build its bars from: its granularity does not divide the smallest bar interval, or its start is not aligned to it. */
  candle_granularity: 'candle_granularity',
  /** A historical record (backfill) whose values cannot be true: high < low, open or close outside [low, high], a negative volume. */
  out_of_range: 'out_of_range',
  /** A historical record (backfill) repeating one already taken: the same candle start or trade id. */
  duplicate: 'duplicate',
  /** A historical record (backfill) older than the last one written for its product and kind: writing it would break the event-time order. */
  out_of_order: 'out_of_order',
} as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[keyof typeof DEAD_LETTER_REASONS];

export interface DeadLetter {
  readonly reason: DeadLetterReason;
  /** Human-readable specifics, e.g. which field failed validation. */
  readonly detail: string;
  /** Where the payload came from: a feed source, or the topic of an undecodable record. */
  readonly origin: string;
  readonly connectionId: string;
  readonly receivedAtUs: number;
  /** The exact bytes that could not be used. */
  readonly payload: Buffer;
}

/** The `prices.dlq` record: the exact payload as value; reason, detail and provenance as headers. */
export function deadLetterRecord(letter: DeadLetter): WireRecord {
  return {
    key: letter.origin,
    value: letter.payload,
    headers: {
      reason: letter.reason,
      detail: letter.detail,
      origin: letter.origin,
      'connection-id': letter.connectionId,
      'received-at-us': String(letter.receivedAtUs),
    },
    timestampMs: Math.floor(letter.receivedAtUs / 1000),
  };
}

/** Reads a `prices.dlq` record back. */
export function readDeadLetterRecord(record: WireRecord): DeadLetter {
  const h = record.headers;
  return {
    reason: (h['reason'] ?? 'unparseable') as DeadLetterReason,
    detail: h['detail'] ?? '',
    origin: h['origin'] ?? record.key,
    connectionId: h['connection-id'] ?? '',
    receivedAtUs: Number(h['received-at-us']),
    payload: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value),
  };
}
