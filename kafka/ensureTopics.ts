import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { assertServingLeaders } from './assertServingLeaders.js';
import type { TopicPlan } from './planTopics.js';
import { retryRetriable, type RetryClock, type RetryPolicy } from './retryRetriable.js';

/** A minute: a fresh KRaft broker on a loaded machine takes tens of seconds to serve every new partition. */
export const TOPICS_RETRY_POLICY: RetryPolicy = { deadlineMs: 60_000, initialBackoffMs: 200, maxBackoffMs: 2000 };

/**
 * Creates the planned topics that do not exist yet and returns once every partition of every planned topic
 * has a leader that serves it ({@link assertServingLeaders}). Existing topics are left as they are (changing
 * the partition count of a keyed topic would move keys between partitions), with a warning when their
 * partition count differs. Kafka's retriable errors (a starting or restarting broker: no leader yet, not the
 * leader, coordinator loading) are retried under `policy`. A topic a concurrent creator made first is no
 * failure: kafkajs resolves when every topic already exists, and when only some do, its error is retriable
 * (isRetriable.ts) and the next attempt finds them. Throws, naming the topics and the last Kafka error, once
 * the policy gives up. `created` is the planned topics missing at the first look, `existing` the others.
 */
export async function ensureTopics(admin: Admin, plans: readonly TopicPlan[], logger: Logger,
  policy: RetryPolicy = TOPICS_RETRY_POLICY, clock?: RetryClock): Promise<{ created: string[]; existing: string[] }> {
  const names = plans.map((p) => p.name);
  // The topics present at the first look (a holder: the attempts assign it).
  const seen: { first: ReadonlySet<string> | null } = { first: null };
  const metadata = await retryRetriable(`Kafka topics ${names.join(', ')} not ready`, async () => {
    const present = new Set(await admin.listTopics());
    seen.first ??= present;
    const missing = plans.filter((p) => !present.has(p.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((p) => ({
          topic: p.name, numPartitions: p.numPartitions, replicationFactor: p.replicationFactor, configEntries: [...p.configEntries],
        })),
      });
    }
    return assertServingLeaders(admin, names);
  }, policy, {
    ...(clock === undefined ? {} : { clock }),
    onRetry: (error, attempts, backoffMs) => {
      logger.info({ attempts, backoffMs, reason: (error as Error).message }, 'Kafka is not ready for the topics yet; retrying');
    },
  });
  const existing = plans.filter((p) => seen.first?.has(p.name) === true);
  for (const topic of metadata) {
    const plan = existing.find((p) => p.name === topic.name);
    if (plan !== undefined && topic.partitions.length !== plan.numPartitions) {
      logger.warn({ topic: topic.name, partitions: topic.partitions.length, planned: plan.numPartitions }, 'existing topic keeps its partition count');
    }
  }
  return { created: names.filter((n) => seen.first?.has(n) !== true), existing: existing.map((p) => p.name) };
}
