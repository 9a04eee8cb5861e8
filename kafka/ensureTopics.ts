import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { TopicPlan } from './planTopics.js';

/**
 * Creates the planned topics that do not exist yet; leaves existing ones as they are (changing the partition
 * count of a keyed topic would move keys between partitions), warning when their partition count differs.
 */
export async function ensureTopics(admin: Admin, plans: readonly TopicPlan[], logger: Logger): Promise<{ created: string[]; existing: string[] }> {
  const present = new Set(await admin.listTopics());
  const missing = plans.filter((p) => !present.has(p.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((p) => ({
        topic: p.name, numPartitions: p.numPartitions, replicationFactor: p.replicationFactor, configEntries: [...p.configEntries],
      })),
    });
  }
  const existing = plans.filter((p) => present.has(p.name));
  if (existing.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: existing.map((p) => p.name) });
    for (const topic of metadata.topics) {
      const plan = existing.find((p) => p.name === topic.name);
      if (plan !== undefined && topic.partitions.length !== plan.numPartitions) {
        logger.warn({ topic: topic.name, partitions: topic.partitions.length, planned: plan.numPartitions }, 'existing topic keeps its partition count');
      }
    }
  }
  return { created: missing.map((p) => p.name), existing: existing.map((p) => p.name) };
}
