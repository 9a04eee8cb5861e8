import { describe, expect, it } from 'vitest';
import { topicNames } from '../wire/topics.js';
import { planTopics } from './planTopics.js';

describe('planTopics', () => {
  it('keeps raw and dead-letter topics in one ordered partition that takes the largest frames', () => {
    const plans = planTopics(topicNames('test.'), { partitions: 6, replicationFactor: 1, retentionMs: 1000, maxFrameBytes: 1_048_576 });
    expect(plans.map((p) => [p.name, p.numPartitions])).toEqual([
      ['test.prices.raw', 1], ['test.prices.normalized', 6], ['test.prices.dlq', 1], ['test.prices.history', 6],
      ['test.prices.late', 6], ['test.signals.decisions', 6], ['test.metrics.performance', 6],
    ]);
    expect(plans[0]!.configEntries).toEqual([
      { name: 'retention.ms', value: '1000' },
      { name: 'min.insync.replicas', value: '1' },
      { name: 'max.message.bytes', value: '4259840' },
    ]);
  });

  it('keeps prices.history forever unless told otherwise, since its records carry event times long past', () => {
    const settings = { partitions: 6, replicationFactor: 1, retentionMs: 1000, maxFrameBytes: 1024 };
    const history = (s: typeof settings & { historyRetentionMs?: number }) => planTopics(topicNames(''), s).find((p) => p.role === 'history')!.configEntries;
    expect(history(settings)).toEqual([{ name: 'retention.ms', value: '-1' }, { name: 'min.insync.replicas', value: '1' }]);
    expect(history({ ...settings, historyRetentionMs: 31_536_000_000 })).toContainEqual({ name: 'retention.ms', value: '31536000000' });
  });

  it('requires two in-sync replicas once there are three copies', () => {
    const [raw] = planTopics(topicNames(''), { partitions: 3, replicationFactor: 3, retentionMs: -1, maxFrameBytes: 1024 });
    expect(raw!.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    expect(raw!.configEntries).toContainEqual({ name: 'retention.ms', value: '-1' });
  });
});
