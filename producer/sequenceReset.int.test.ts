import { afterEach, describe, expect, inject, it } from 'vitest';
import type { GapEvent, MarketEvent, TradeEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { CoinbaseProtocolServer, type Feed } from '../simulator/CoinbaseProtocolServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { startTestProducer, type TestProducer } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

describe('sequence numbers that restart lower in the middle of a connection (a venue-side restart)', () => {
  const services = inject('services');
  const running: { server: CoinbaseProtocolServer; test: TestProducer }[] = [];

  async function start(feed: Feed) {
    const server = await CoinbaseProtocolServer.start({ feed, heartbeatIntervalMs: 200 });
    const test = await startTestProducer({ feed, url: server.url, brokers: services.kafkaBrokers });
    running.push({ server, test });
    const connection = await server.subscribed(1);
    await waitFor('a confirmed connection', async () => (await metricValue(test.registry, 'producer_ws_connected')) === 1);
    return { server, test, connection };
  }

  const read = async (test: TestProducer): Promise<MarketEvent[]> => (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
  const tradeIds = (events: MarketEvent[], productId: string) =>
    events.filter((e): e is TradeEvent => e.type === 'trade' && e.productId === productId).map((t) => t.tradeId);
  const gaps = (events: MarketEvent[], productId: string) =>
    events.filter((e): e is GapEvent => e.type === 'gap' && e.productId === productId).map((g) => [g.reason, g.missed]);

  afterEach(async () => {
    for (const { server, test } of running.splice(0)) {
      await test.producer.stop(1000);
      await server.close();
    }
  });

  it('Advanced Trade sequence_num 1852 → 0: a new baseline, a sequence_reset gap per product, and the feed goes on', async () => {
    const { server, test, connection } = await start('advanced-trade');
    server.trade('BTC-USD', 2);
    const lostBefore = 1851 - connection.nextSequence;
    connection.setNextSequence(1851);
    server.trade('BTC-USD'); // market_trades 1851, ticker 1852
    connection.setNextSequence(0);
    const restartedAtUs = Date.now() * 1000;
    server.trade('BTC-USD'); // market_trades 0, ticker 1
    server.trade('ETH-USD');
    await waitFor('every trade', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 5);
    await waitFor('heartbeats after the restart', async () => (await read(test))
      .filter((e) => e.type === 'heartbeat' && e.receivedAtUs > restartedAtUs).length >= 4);
    await test.producer.stop(5000);

    const events = await read(test);
    expect(tradeIds(events, 'BTC-USD')).toEqual(['900000000', '900000001', '900000002', '900000003']);
    expect(tradeIds(events, 'ETH-USD')).toEqual(['900000000']);
    for (const productId of ['BTC-USD', 'ETH-USD']) {
      expect(gaps(events, productId), productId).toEqual([['sequence', lostBefore], ['sequence_reset', null]]);
    }
    expect(await metricValue(test.registry, 'producer_sequence_resets_total')).toBe(1);
    expect(await metricValue(test.registry, 'producer_duplicate_frames_total'), 'nothing dropped as a repeat').toBe(0);
    expect(await metricValue(test.registry, 'producer_ws_reconnects_total')).toBe(0);
    expect(server.connections.length).toBe(1);
  });

  it('Exchange match sequence 26941144 → 624086 with a new trade id: one sequence_reset gap, every trade published', async () => {
    const { server, test } = await start('exchange');
    server.trade('BTC-USD');
    server.setNextExchangeSequence('BTC-USD', 26_941_144);
    server.trade('BTC-USD'); // match 26941144, then its ticker
    server.setNextExchangeSequence('BTC-USD', 624_086);
    const restartedAtUs = Date.now() * 1000;
    server.trade('BTC-USD', 2); // match 624086 (a new trade id), then the numbering goes on from there
    server.trade('ETH-USD');
    await waitFor('every trade', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 5);
    await waitFor('heartbeats of BTC-USD after the restart', async () => (await read(test))
      .filter((e) => e.type === 'heartbeat' && e.productId === 'BTC-USD' && e.receivedAtUs > restartedAtUs).length >= 2);
    await test.producer.stop(5000);

    const events = await read(test);
    expect(tradeIds(events, 'BTC-USD')).toEqual(['900000000', '900000001', '900000002', '900000003']);
    expect(tradeIds(events, 'ETH-USD')).toEqual(['900000000']);
    expect(gaps(events, 'BTC-USD'), 'matches, ticker and heartbeat restart together: one marker').toEqual([['sequence_reset', null]]);
    expect(gaps(events, 'ETH-USD')).toEqual([]);
    expect(await metricValue(test.registry, 'producer_sequence_resets_total')).toBe(1);
    expect(await metricValue(test.registry, 'producer_duplicate_frames_total')).toBe(0);
    expect(await metricValue(test.registry, 'producer_ws_reconnects_total')).toBe(0);
  });
});
