import { Partitioners, type Kafka } from 'kafkajs';
import { toKafkaMessage } from '../../kafka/toKafkaMessage.js';
import type { MarketEvent } from '../../wire/MarketEvent.js';
import { marketEventRecord } from '../../wire/marketEventRecord.js';

/** Writes events to a topic as the producer does (keyed by product), plus any raw values, in order. */
export async function publishEvents(kafka: Kafka, topic: string, events: readonly (MarketEvent | { raw: string; key: string })[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // 3 000 records a request: under the broker's 1 MB limit even when all go to one partition (a product's candles).
  for (let i = 0; i < events.length; i += 3000) {
    const messages = events.slice(i, i + 3000).map((e) =>
      'raw' in e ? { key: e.key, value: e.raw } : toKafkaMessage(marketEventRecord(e)));
    await producer.send({ topic, messages, acks: -1 });
  }
  await producer.disconnect();
}
