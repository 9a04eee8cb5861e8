import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { fromKafkaMessage } from '../../kafka/fromKafkaMessage.js';
import type { WireRecord } from '../../wire/WireRecord.js';

export interface ReadRecord extends WireRecord {
  readonly partition: number;
  readonly offset: number;
}

/**
 * Every record of `topic` from the beginning to its current end, in partition order then offset order,
 * read by a throwaway consumer group.
 */
export async function readTopic(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;

  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined) return;
        records.push({ ...fromKafkaMessage(message), partition, offset: Number(message.offset) });
        if (Number(message.offset) + 1 >= end) remaining.delete(partition);
        if (remaining.size === 0) resolve();
        await Promise.resolve();
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
