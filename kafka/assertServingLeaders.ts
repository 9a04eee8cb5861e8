import type { Admin, ITopicMetadata } from 'kafkajs';

/**
 * One look at whether every partition of `topics` has a leader that serves it: the topic exists, its metadata
 * names a leader for each partition, and its offsets can be listed (a fresh or restarted KRaft broker names a
 * leader before that leader answers, "This server is not the leader for that topic-partition"). Throws a
 * retriable error when not yet (kafkajs's own when a request failed), so that a retry loop waits for it.
 * Returns the topics' metadata.
 */
export async function assertServingLeaders(admin: Admin, topics: readonly string[]): Promise<ITopicMetadata[]> {
  const present = new Set(await admin.listTopics());
  const absent = topics.filter((t) => !present.has(t));
  if (absent.length > 0) throw notServing(`not created yet: ${absent.join(', ')} (\`make topics\` creates them)`);
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  const leaderless = metadata.topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
  if (leaderless.length > 0) throw notServing(`no partition leader yet for ${leaderless.map((t) => t.name).join(', ')}`);
  for (const topic of topics) await admin.fetchTopicOffsets(topic);
  return metadata.topics;
}

/** Marked retriable as kafkajs marks its own errors, for `isRetriable`. */
const notServing = (message: string): Error => Object.assign(new Error(message), { retriable: true });
