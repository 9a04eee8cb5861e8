import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { WireRecord } from '../wire/WireRecord.js';
import { fromKafkaMessage } from './fromKafkaMessage.js';

export interface TailRecord extends WireRecord {
  readonly partition: number;
  readonly offset: number;
}

/**
 * The last `perPartition` records of every partition of `topic` (all of them for `Infinity`), up to the end
 * offsets at the time of the call, in partition then offset order. Reads with a throwaway consumer group,
 * which it deletes afterwards; commits nothing.
 */
export async function readTail(kafka: Kafka, topic: string, perPartition: number): Promise<TailRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const ranges = new Map(ends
      .map((p) => ({ partition: p.partition, end: Number(p.high), start: Math.max(Number(p.low), Number(p.high) - perPartition) }))
      .filter((r) => r.end > r.start)
      .map((r) => [r.partition, r]));
    if (ranges.size === 0) return [];

    const groupId = `tail-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const records: TailRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const pending = new Set(ranges.keys());
      await new Promise<void>((resolve, reject) => {
        consumer.run({
          autoCommit: false,
          eachMessage: ({ partition, message }) => {
            const range = ranges.get(partition);
            const offset = Number(message.offset);
            if (range === undefined || offset < range.start || offset >= range.end) return Promise.resolve();
            records.push({ ...fromKafkaMessage(message), partition, offset });
            if (offset + 1 >= range.end) pending.delete(partition);
            if (pending.size === 0) resolve();
            return Promise.resolve();
          },
        }).catch(reject);
        // kafkajs seeks only once run() has started.
        for (const range of ranges.values()) consumer.seek({ topic, partition: range.partition, offset: String(range.start) });
      });
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  } finally {
    await admin.disconnect();
  }
}
