import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapEvent, MarketEvent, TradeEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { CoinbaseProtocolServer } from '../simulator/CoinbaseProtocolServer.js';
import { DedicatedKafka } from '../testing/kafka/DedicatedKafka.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { startTestProducer, type TestProducer } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

const tapeKeys = (server: CoinbaseProtocolServer) => [...server.tape.values()].flat().map((t) => `${t.productId}#${t.tradeId}`).sort();
const tradeKeys = (events: readonly MarketEvent[]) =>
  events.filter((e): e is TradeEvent => e.type === 'trade').map((t) => `${t.productId}#${t.tradeId}`);

/** Waits until every trade the server made is acknowledged, stops the producer and reads what it published. */
async function drainAndRead(test: TestProducer, server: CoinbaseProtocolServer, what: string): Promise<MarketEvent[]> {
  const made = tapeKeys(server).length;
  await waitFor(what, async () => (await metricValue(test.registry, 'producer_trades_published_total')) === made, 60_000);
  await test.producer.stop(5000);
  return (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
}

describe('MarketDataProducer during a Kafka outage', () => {
  let broker: DedicatedKafka;

  beforeAll(async () => {
    broker = await DedicatedKafka.start();
  });

  afterAll(async () => {
    await broker.destroy();
  });

  describe('when the broker restarts mid-stream', () => {
    let server: CoinbaseProtocolServer;
    let test: TestProducer;
    let events: MarketEvent[];
    let backlogDuringOutage = 0;

    beforeAll(async () => {
      server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 200 });
      test = await startTestProducer({ feed: 'advanced-trade', url: server.url, brokers: broker.brokers });
      await server.subscribed(1);
      const pump = setInterval(() => { server.trade('BTC-USD', 1); server.trade('ETH-USD', 2); }, 50);
      try {
        await sleep(1000);
        await broker.stop();
        await sleep(2000);
        backlogDuringOutage = await metricValue(test.registry, 'producer_queue_frames');
        await broker.restart();
        await sleep(500);
      } finally {
        clearInterval(pump);
      }
      events = await drainAndRead(test, server, 'the queue to drain into the restarted broker');
    });

    afterAll(async () => {
      await test.producer.stop(1000);
      await server.close();
    });

    it('publishes every trade exactly once, in order, with no gap (the WebSocket never noticed)', async () => {
      expect(backlogDuringOutage, 'frames waited in the queue while the broker was down').toBeGreaterThan(20);
      const published = tradeKeys(events);
      expect(published.length, 'no duplicates from retried batches').toBe(new Set(published).size);
      expect([...published].sort()).toEqual(tapeKeys(server));
      for (const productId of ['BTC-USD', 'ETH-USD']) {
        const ids = events.filter((e): e is TradeEvent => e.type === 'trade' && e.productId === productId).map((t) => Number(t.tradeId));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }
      expect(events.filter((e) => e.type === 'gap')).toEqual([]);
      expect(await metricValue(test.registry, 'producer_queue_overflow_frames_total')).toBe(0);
      expect(await metricValue(test.registry, 'producer_ws_reconnects_total')).toBe(0);
    });
  });

  describe('when it is told to stop while the broker is down', () => {
    it('stops within its shutdown timeout and reports what it could not deliver', async () => {
      const server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 200 });
      const test = await startTestProducer({ feed: 'advanced-trade', url: server.url, brokers: broker.brokers });
      try {
        await server.subscribed(1);
        await broker.stop();
        server.trade('BTC-USD', 3);
        await waitFor('frames queued', async () => (await metricValue(test.registry, 'producer_queue_frames')) > 0);
        const started = Date.now();
        await test.producer.stop(1000);
        expect(Date.now() - started, 'flush timeout, then a bounded wait for the send in flight').toBeLessThan(15_000);
        expect(await metricValue(test.registry, 'producer_queue_frames'), 'undelivered frames stay counted').toBeGreaterThan(0);
      } finally {
        await server.close();
        await broker.restart();
      }
    });
  });

  describe('when the queue to Kafka overflows', () => {
    let server: CoinbaseProtocolServer;
    let test: TestProducer;
    let events: MarketEvent[];

    beforeAll(async () => {
      server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 200, snapshotTrades: 50 });
      test = await startTestProducer({
        feed: 'advanced-trade', url: server.url, brokers: broker.brokers, overrides: { queueMaxBytes: 65_536 },
      });
      await server.subscribed(1);
      server.trade('BTC-USD', 2);
      await waitFor('the first trades', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 2);
      await broker.stop();
      // About 160 frames of ~1.5 kB: more than the 64 KiB queue holds.
      for (let i = 0; i < 40; i++) {
        server.trade('BTC-USD', 1);
        server.trade('ETH-USD', 1);
        await sleep(5);
      }
      await waitFor('frames to overflow', async () => (await metricValue(test.registry, 'producer_queue_overflow_frames_total')) > 0);
      await broker.restart();
      await server.subscribed(2);
      events = await drainAndRead(test, server, 'the resubscription to recover every trade');
    });

    afterAll(async () => {
      await test.producer.stop(1000);
      await server.close();
    });

    it('drops and counts frames, resubscribes once there is room, and recovers the trades from the snapshot', async () => {
      const published = tradeKeys(events);
      expect(published.length).toBe(new Set(published).size);
      expect([...published].sort()).toEqual(tapeKeys(server));
      for (const productId of ['BTC-USD', 'ETH-USD']) {
        const ids = events.filter((e): e is TradeEvent => e.type === 'trade' && e.productId === productId).map((t) => Number(t.tradeId));
        expect(ids, `${productId} stays in trade-id order through the resync`).toEqual([...ids].sort((a, b) => a - b));
      }
      expect(await metricValue(test.registry, 'producer_ws_reconnects_total', { reason: 'overflow' })).toBe(1);
      expect(await metricValue(test.registry, 'producer_queue_bytes'), 'drained').toBe(0);
    });

    it('publishes an overflow gap marker per product with the number of frames dropped', async () => {
      const dropped = await metricValue(test.registry, 'producer_queue_overflow_frames_total');
      const gaps = events.filter((e): e is GapEvent => e.type === 'gap').map((g) => [g.productId, g.reason, g.missed]);
      expect(gaps).toEqual([['BTC-USD', 'overflow', dropped], ['ETH-USD', 'overflow', dropped]]);
    });
  });
});
