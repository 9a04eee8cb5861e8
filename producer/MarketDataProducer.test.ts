import type { Kafka } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { advancedTradeProtocol } from './coinbase/advancedTrade/advancedTradeProtocol.js';
import { MarketDataProducer } from './MarketDataProducer.js';

describe('MarketDataProducer metrics', () => {
  it('ages producer_last_frame_age_seconds from the start while no frame ever arrived, so FeedStale can fire for a feed that never connected', async () => {
    let nowUs = 1_800_000_000_000_000;
    const registry = new Registry();
    // Never started: no Kafka call is made.
    const kafka = { producer: () => ({}) } as unknown as Kafka;
    new MarketDataProducer({
      protocol: advancedTradeProtocol, url: 'wss://advanced-trade-ws.coinbase.invalid', productIds: ['BTC-USD'], kafka, topicPrefix: '',
      compression: CompressionTypes.None, maxFrameBytes: 65_536, stallTimeoutMs: 10_000, subscribeTimeoutMs: 5000, resubscribeIntervalMs: 60_000,
      reconnectBaseMs: 500, reconnectMaxMs: 30_000, queueMaxBytes: 1 << 20, dedupeWindow: 100, registry, logger: pino({ level: 'silent' }),
      nowUs: () => nowUs,
    });
    const age = async () => (await registry.getSingleMetric('producer_last_frame_age_seconds')?.get())?.values.map((v) => v.value);
    expect(await age()).toEqual([0]);
    nowUs += 45_500_000;
    expect(await age()).toEqual([45.5]);
  });
});
