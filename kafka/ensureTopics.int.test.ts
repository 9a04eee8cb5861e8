import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DedicatedKafka } from '../testing/kafka/DedicatedKafka.js';
import { topicNames } from '../wire/topics.js';
import { createKafka } from './createKafka.js';
import { ensureTopics } from './ensureTopics.js';
import { planTopics } from './planTopics.js';

describe('ensureTopics on a real broker', () => {
  let broker: DedicatedKafka;
  beforeAll(async () => { broker = await DedicatedKafka.start(); });
  afterAll(async () => { await broker.destroy(); });

  it('creates the topics on a fresh broker and, after its restart, returns only once every partition\'s leader serves it', async () => {
    const plans = planTopics(topicNames('fresh.'), { partitions: 3, replicationFactor: 1, retentionMs: -1, maxFrameBytes: 16_384 });
    const names = plans.map((p) => p.name);
    const kafka = createKafka('ensure-topics-test', broker.brokers, pino({ level: 'silent' }));
    const ready = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const result = await ensureTopics(admin, plans, pino({ level: 'silent' }));
        // No retry here: ensureTopics returned, so each partition's leader must answer at once.
        const offsets = await Promise.all(names.map((n) => admin.fetchTopicOffsets(n)));
        return { result, partitions: offsets.map((o) => o.length) };
      } finally {
        await admin.disconnect();
      }
    };
    expect(await ready(), 'right after the broker\'s first start').toEqual({ result: { created: names, existing: [] }, partitions: plans.map((p) => p.numPartitions) });
    await broker.stop();
    await broker.restart();
    expect(await ready(), 'right after its restart').toEqual({ result: { created: [], existing: names }, partitions: plans.map((p) => p.numPartitions) });
  }, 180_000);
});
