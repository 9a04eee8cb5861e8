import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GapEvent, MarketEvent, TradeEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { CoinbaseProtocolServer } from '../simulator/CoinbaseProtocolServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { startTestProducer, type TestProducer } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

describe('MarketDataProducer with the Exchange protocol and a real Kafka broker', () => {
  const services = inject('services');
  let server: CoinbaseProtocolServer;
  let test: TestProducer;
  let events: MarketEvent[];

  beforeAll(async () => {
    server = await CoinbaseProtocolServer.start({ feed: 'exchange', heartbeatIntervalMs: 200 });
    server.trade('BTC-USD', 2);
    test = await startTestProducer({ feed: 'exchange', url: server.url, brokers: services.kafkaBrokers });
    const c1 = await server.subscribed(1);
    server.trade('BTC-USD', 3);
    server.trade('ETH-USD', 2);
    // One match frame dropped by Coinbase: the next trade id jumps.
    c1.loseNextFrames(1);
    server.trade('BTC-USD', 1);
    server.trade('BTC-USD', 2);
    c1.drop();
    await server.subscribed(2);
    server.trade('ETH-USD', 2);
    await waitFor('all trades acknowledged', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 10);
    await waitFor('a heartbeat per product', async () => {
      events = (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
      return ['BTC-USD', 'ETH-USD'].every((p) => events.some((e) => e.type === 'heartbeat' && e.productId === p));
    });
    await test.producer.stop(5000);
    events = (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
  });

  afterAll(async () => {
    await test.producer.stop(1000);
    await server.close();
  });

  it('publishes matches as trades, once each, oldest first, without the lost one', () => {
    const trades = events.filter((e): e is TradeEvent => e.type === 'trade');
    // BTC-USD: the last match sent on subscribing, then live matches; 900000005 was lost.
    expect(trades.filter((t) => t.productId === 'BTC-USD').map((t) => t.tradeId)).toEqual(
      ['900000001', '900000002', '900000003', '900000004', '900000006', '900000007']);
    expect(trades.filter((t) => t.productId === 'ETH-USD').map((t) => t.tradeId)).toEqual(
      ['900000000', '900000001', '900000002', '900000003']);
    expect(trades[0]?.snapshot, 'the last_match sent on subscribing').toBe(true);
  });

  it('marks the jump in consecutive trade ids and the reconnect as gaps', () => {
    const gaps = events.filter((e): e is GapEvent => e.type === 'gap').map((g) => [g.productId, g.reason, g.missed]);
    expect(gaps).toEqual([['BTC-USD', 'trade_id', 1], ['BTC-USD', 'reconnect', null], ['ETH-USD', 'reconnect', null]]);
  });

  it('publishes tickers as quotes and heartbeats per product', async () => {
    const quotes = events.filter((e) => e.type === 'quote');
    expect(quotes.length).toBe(await metricValue(test.registry, 'producer_quotes_published_total'));
    const sent = server.connections.reduce((sum, c) => sum + [...c.deliveredQuotes.values()].reduce((a, b) => a + b, 0), 0);
    expect(quotes.length, 'one ticker per live trade, including the one whose match was lost').toBe(sent);
    expect(sent).toBe(10);
    expect(await metricValue(test.registry, 'producer_duplicate_trades_total'), 'the last_match of each product, repeated on reconnecting').toBe(2);
    for (const productId of ['BTC-USD', 'ETH-USD']) {
      expect(events.some((e) => e.type === 'heartbeat' && e.productId === productId), productId).toBe(true);
    }
  });
});
