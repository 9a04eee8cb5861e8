import { KafkaJSAggregateError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, type Admin, type ITopicConfig } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from './ensureTopics.js';
import type { TopicPlan } from './planTopics.js';
import type { RetryClock } from './retryRetriable.js';

const protocolError = (type: string, retriable: boolean, message: string): KafkaJSProtocolError =>
  new KafkaJSProtocolError(Object.assign(new Error(message), { type, retriable }));
const NOT_LEADER = 'This server is not the leader for that topic-partition';
const notLeader = () => protocolError('NOT_LEADER_FOR_PARTITION', true, NOT_LEADER);

const plan = (name: string, numPartitions: number): TopicPlan => ({ role: 'normalized', name, numPartitions, replicationFactor: 1, configEntries: [] });
const plans = [plan('p.raw', 1), plan('p.normalized', 3)];
const policy = { deadlineMs: 10_000, initialBackoffMs: 100, maxBackoffMs: 1000 };
const silent = pino({ level: 'silent' });

function fakeClock(): RetryClock {
  let nowMs = 0;
  return { now: () => nowMs, sleep: (ms) => { nowMs += ms; return Promise.resolve(); } };
}

/**
 * A broker as the admin API sees it: topics with their partitions' leaders (-1: none yet), and scripted
 * failures, taken in order, for each call.
 */
class FakeBroker {
  readonly topics = new Map<string, number[]>();
  readonly calls: string[] = [];
  readonly failures: Partial<Record<'createTopics' | 'fetchTopicOffsets', Error[]>> = {};
  /** Partitions get a leader after this many metadata requests. */
  leaderlessMetadata = 0;

  admin(): Admin {
    const fail = (call: 'createTopics' | 'fetchTopicOffsets') => {
      const error = this.failures[call]?.shift();
      if (error !== undefined) throw error;
    };
    const fake: Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata' | 'fetchTopicOffsets'> = {
      listTopics: () => { this.calls.push('listTopics'); return Promise.resolve([...this.topics.keys()]); },
      createTopics: ({ topics }: { topics: ITopicConfig[] }) => {
        this.calls.push(`createTopics ${topics.map((t) => t.topic).join(',')}`);
        // Kafka creates them even when the wait for their leaders fails.
        for (const t of topics) this.topics.set(t.topic, Array.from({ length: t.numPartitions ?? 1 }, () => -1));
        fail('createTopics');
        return Promise.resolve(true);
      },
      fetchTopicMetadata: (request?: { topics: string[] }) => {
        this.calls.push('fetchTopicMetadata');
        const led = this.leaderlessMetadata-- <= 0;
        return Promise.resolve({
          topics: (request?.topics ?? []).map((name) => ({
            name, partitions: (this.topics.get(name) ?? []).map((_, partitionId) => ({ partitionId, leader: led ? 1 : -1, partitionErrorCode: 0, replicas: [1], isr: [1] })),
          })),
        });
      },
      fetchTopicOffsets: (topic: string) => {
        this.calls.push(`fetchTopicOffsets ${topic}`);
        fail('fetchTopicOffsets');
        return Promise.resolve([]);
      },
    };
    return fake as Admin;
  }
}

describe('ensureTopics', () => {
  it('creates what is missing, then returns once every partition has a leader that serves it', async () => {
    const broker = new FakeBroker();
    broker.topics.set('p.raw', [1]);
    const result = await ensureTopics(broker.admin(), plans, silent, policy, fakeClock());
    expect(result).toEqual({ created: ['p.normalized'], existing: ['p.raw'] });
    expect(broker.calls).toEqual(['listTopics', 'createTopics p.normalized', 'listTopics', 'fetchTopicMetadata', 'fetchTopicOffsets p.raw', 'fetchTopicOffsets p.normalized']);
  });

  it('retries a fresh broker\'s retriable errors: not the leader, no leader yet, kafkajs\'s own retries running out', async () => {
    const broker = new FakeBroker();
    broker.failures.createTopics = [new KafkaJSNumberOfRetriesExceeded(notLeader(), { retryCount: 8, retryTime: 5000 })];
    broker.failures.fetchTopicOffsets = [notLeader()];
    broker.leaderlessMetadata = 1;
    const result = await ensureTopics(broker.admin(), plans, silent, policy, fakeClock());
    expect(result, 'created by this call, though the first attempt failed').toEqual({ created: ['p.raw', 'p.normalized'], existing: [] });
    expect(broker.calls).toEqual([
      'listTopics', 'createTopics p.raw,p.normalized',
      'listTopics', 'listTopics', 'fetchTopicMetadata',
      'listTopics', 'listTopics', 'fetchTopicMetadata', 'fetchTopicOffsets p.raw',
      'listTopics', 'listTopics', 'fetchTopicMetadata', 'fetchTopicOffsets p.raw', 'fetchTopicOffsets p.normalized',
    ]);
  });

  it('takes a topic a concurrent creator made first as existing', async () => {
    const broker = new FakeBroker();
    const exists = protocolError('TOPIC_ALREADY_EXISTS', false, 'Topic with this name already exists');
    broker.failures.createTopics = [new KafkaJSAggregateError('Topic creation errors', [exists, notLeader()])];
    await expect(ensureTopics(broker.admin(), plans, silent, policy, fakeClock())).resolves.toEqual({ created: ['p.raw', 'p.normalized'], existing: [] });
    expect(broker.calls.filter((c) => c.startsWith('createTopics')), 'the second attempt creates nothing').toHaveLength(1);
  });

  it('gives up at the deadline, naming the topics and the last Kafka error', async () => {
    const broker = new FakeBroker();
    broker.failures.fetchTopicOffsets = Array.from({ length: 100 }, notLeader);
    await expect(ensureTopics(broker.admin(), plans, silent, { deadlineMs: 1000, initialBackoffMs: 100, maxBackoffMs: 400 }, fakeClock()))
      .rejects.toThrow(`Kafka topics p.raw, p.normalized not ready: gave up after 4 attempts in 700 ms; last Kafka error: ${NOT_LEADER}`);
  });

  it('fails at once on an error no retry mends', async () => {
    const broker = new FakeBroker();
    broker.failures.createTopics = [protocolError('INVALID_REPLICATION_FACTOR', false, 'Replication-factor is invalid')];
    await expect(ensureTopics(broker.admin(), plans, silent, policy, fakeClock())).rejects.toThrow('Replication-factor is invalid');
    expect(broker.calls).toEqual(['listTopics', 'createTopics p.raw,p.normalized']);
  });
});
