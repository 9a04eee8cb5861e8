import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Kafka } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createKafka } from '../../kafka/createKafka.js';
import { ensureTopics } from '../../kafka/ensureTopics.js';
import { planTopics } from '../../kafka/planTopics.js';
import { advancedTradeProtocol } from '../../producer/coinbase/advancedTrade/advancedTradeProtocol.js';
import { exchangeProtocol } from '../../producer/coinbase/exchange/exchangeProtocol.js';
import { MarketDataProducer, type MarketDataProducerOptions } from '../../producer/MarketDataProducer.js';
import { wallClockUs } from '../../runtime/wallClockUs.js';
import { topicNames, type TopicNames } from '../../wire/topics.js';
import type { Feed } from '../../simulator/CoinbaseProtocolServer.js';

export interface TestProducer {
  readonly producer: MarketDataProducer;
  readonly registry: Registry;
  readonly kafka: Kafka;
  readonly topics: TopicNames;
}

/**
 * Fresh topics under a unique prefix, so that test files never read each other's records; returns once every
 * partition's leader serves it (ensureTopics waits for that and retries a fresh or restarted broker's
 * retriable errors, as `make topics` does).
 */
export async function createTestTopics(kafka: Kafka, partitions = 3): Promise<{ prefix: string; topics: TopicNames }> {
  const prefix = `it-${randomUUID().slice(0, 8)}.`;
  const plans = planTopics(topicNames(prefix), { partitions, replicationFactor: 1, retentionMs: -1, maxFrameBytes: 16_384 });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, plans, pino({ level: 'silent' }));
  } finally {
    await admin.disconnect();
  }
  return { prefix, topics: topicNames(prefix) };
}

/** A producer wired to a local Coinbase-protocol server and real Kafka, with fast test timings. */
export async function startTestProducer(options: {
  feed: Feed;
  url: string;
  brokers: readonly string[];
  overrides?: Partial<MarketDataProducerOptions>;
  /** Reuse the topics of an earlier producer (by their prefix) instead of creating fresh ones. */
  topicPrefix?: string;
}): Promise<TestProducer> {
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const kafka = createKafka('test-producer', options.brokers, logger);
  const { prefix, topics } = options.topicPrefix === undefined
    ? await createTestTopics(kafka)
    : { prefix: options.topicPrefix, topics: topicNames(options.topicPrefix) };
  const registry = new Registry();
  const producer = new MarketDataProducer({
    protocol: options.feed === 'advanced-trade' ? advancedTradeProtocol : exchangeProtocol,
    url: options.url,
    productIds: ['BTC-USD', 'ETH-USD'],
    kafka,
    topicPrefix: prefix,
    compression: CompressionTypes.GZIP,
    maxFrameBytes: 16_384,
    stallTimeoutMs: 1500,
    subscribeTimeoutMs: 3000,
    resubscribeIntervalMs: 300_000,
    reconnectBaseMs: 20,
    reconnectMaxMs: 200,
    queueMaxBytes: 8 << 20,
    dedupeWindow: 1000,
    registry,
    logger,
    nowUs: wallClockUs,
    ...options.overrides,
  });
  await producer.start();
  return { producer, registry, kafka, topics };
}
