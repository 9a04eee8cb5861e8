import type { Message } from 'kafkajs';
import type { WireRecord } from '../wire/WireRecord.js';

/** A wire record as a kafkajs message. */
export function toKafkaMessage(record: WireRecord): Message {
  return { key: record.key, value: record.value, headers: record.headers, timestamp: String(record.timestampMs) };
}
