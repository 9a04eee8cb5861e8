import type { Kafka } from 'kafkajs';
import { readTail } from '../kafka/readTail.js';
import { decodeMarketEvent, WireDecodeError } from '../wire/marketEventCodec.js';
import type { MarketEvent } from '../wire/MarketEvent.js';
import { resumePoints, type ResumePoint } from './core/streams.js';

/**
 * Where each wanted stream resumes: its last record on the history topic. Reads the topic's tail backwards
 * in growing steps (1000 records a partition, then 4×, …) until every wanted stream has been seen or the
 * whole topic has been read (a stream never written has no resume point). Like the producer at start-up,
 * it trusts the topic, not a local file: whatever a crashed run got acknowledged is exactly what is there.
 */
export async function readResumePoints(kafka: Kafka, topic: string, wanted: ReadonlySet<string>): Promise<Map<string, ResumePoint>> {
  const admin = kafka.admin();
  await admin.connect();
  let longest: number;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    longest = Math.max(0, ...offsets.map((p) => Number(p.high) - Number(p.low)));
  } finally {
    await admin.disconnect();
  }
  let points = new Map<string, ResumePoint>();
  for (let perPartition = 1000; longest > 0; perPartition *= 4) {
    const events: MarketEvent[] = [];
    for (const record of await readTail(kafka, topic, Math.min(perPartition, longest))) {
      try {
        events.push(decodeMarketEvent(record.value));
      } catch (error) {
        if (!(error instanceof WireDecodeError)) throw error;
      }
    }
    points = resumePoints(events);
    if ([...wanted].every((k) => points.has(k)) || perPartition >= longest) break;
  }
  return points;
}
