import type { Kafka } from 'kafkajs';
import type { Sql } from 'postgres';
import { waitFor } from '../waitFor.js';

/** Waits until the group's checkpoints cover every record of the topic and the outbox is empty. */
export async function waitForEngineToCatchUp(kafka: Kafka, sql: Sql, group: string, topic: string, timeoutMs = 90_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  await waitFor('the engine to checkpoint every record and empty its outbox', async () => {
    const rows = await sql<{ partition: number; next_offset: string }[]>`
      SELECT partition, next_offset FROM engine_offsets WHERE consumer_group = ${group} AND topic = ${topic}`;
    const done = [...ends].every(([partition, end]) => end === 0n || rows.some((r) => r.partition === partition && BigInt(r.next_offset) >= end));
    if (!done) return false;
    const [outbox] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM engine_outbox WHERE consumer_group = ${group}`;
    return Number(outbox?.n) === 0;
  }, timeoutMs);
}
