import type { KafkaMessage } from 'kafkajs';
import type { WireRecord } from '../wire/WireRecord.js';

/** A consumed kafkajs message as a wire record (header values become UTF-8 strings). */
export function fromKafkaMessage(message: KafkaMessage): WireRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return {
    key: message.key?.toString('utf8') ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers,
    timestampMs: Number(message.timestamp),
  };
}
