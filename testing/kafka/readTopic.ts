import type { Kafka } from 'kafkajs';
import { readTail, type TailRecord } from '../../kafka/readTail.js';

/** Every record of `topic` up to its current end, in partition then offset order. */
export function readTopic(kafka: Kafka, topic: string): Promise<TailRecord[]> {
  return readTail(kafka, topic, Number.POSITIVE_INFINITY);
}
