import type { TopicNames, TopicRole } from '../wire/topics.js';

export interface TopicPlan {
  readonly role: TopicRole;
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configEntries: readonly { readonly name: string; readonly value: string }[];
}

export interface TopicSettings {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly retentionMs: number;
  /** Frames up to 4 × this size reach Kafka (larger ones are refused by the WebSocket transport). */
  readonly maxFrameBytes: number;
  /**
   * Retention of `prices.history` in ms (default -1: forever). Kafka measures retention from each record's
   * timestamp, which on the history topic is the event time: a finite value deletes history older than it at once.
   */
  readonly historyRetentionMs?: number;
}

/**
 * The topics and their settings. `prices.raw` and `prices.dlq` keep one partition, so their records stay in
 * arrival order, and accept records as large as the largest frame the producer keeps; the keyed topics
 * (`prices.normalized`, `prices.history`, `prices.late`, `signals.decisions`, `metrics.performance`) have `partitions`;
 * `prices.history` keeps its own retention (`historyRetentionMs`).
 */
export function planTopics(names: TopicNames, settings: TopicSettings): TopicPlan[] {
  const minInsyncReplicas = String(settings.replicationFactor >= 3 ? 2 : 1);
  const minInsync = { name: 'min.insync.replicas', value: minInsyncReplicas };
  const common = [{ name: 'retention.ms', value: String(settings.retentionMs) }, minInsync];
  const largeRecords = { name: 'max.message.bytes', value: String(4 * settings.maxFrameBytes + 65_536) };
  return [
    { role: 'raw', name: names.raw, numPartitions: 1, replicationFactor: settings.replicationFactor, configEntries: [...common, largeRecords] },
    { role: 'normalized', name: names.normalized, numPartitions: settings.partitions, replicationFactor: settings.replicationFactor, configEntries: common },
    { role: 'deadLetter', name: names.deadLetter, numPartitions: 1, replicationFactor: settings.replicationFactor, configEntries: [...common, largeRecords] },
    {
      role: 'history', name: names.history, numPartitions: settings.partitions, replicationFactor: settings.replicationFactor,
      configEntries: [{ name: 'retention.ms', value: String(settings.historyRetentionMs ?? -1) }, minInsync],
    },
    ...(['late', 'decisions', 'performance'] as const).map((role) => ({
      role, name: names[role], numPartitions: settings.partitions, replicationFactor: settings.replicationFactor, configEntries: common,
    })),
  ];
}
