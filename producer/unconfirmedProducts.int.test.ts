import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MarketEvent, TradeEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { CoinbaseProtocolServer, type Feed } from '../simulator/CoinbaseProtocolServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { startTestProducer, type TestProducer } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

const PRODUCTS = ['BTC-USD', 'ETH-USD', 'MATIC-USD'];

describe.each<Feed>(['advanced-trade', 'exchange'])('a product Coinbase does not confirm, on the %s feed', (feed) => {
  const services = inject('services');
  const running: { server: CoinbaseProtocolServer; test: TestProducer }[] = [];

  afterEach(async () => {
    for (const { server, test } of running.splice(0)) {
      await test.producer.stop(1000);
      await server.close();
    }
  });

  it('streams the confirmed products on one connection, reports and retries MATIC-USD, and picks it up once listed', async () => {
    const server = await CoinbaseProtocolServer.start({ feed, heartbeatIntervalMs: 200, unknownProducts: ['MATIC-USD'] });
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } });
    // Retried every second here (COINBASE_RESUBSCRIBE_INTERVAL_MS); the subscribe timeout is 3 s.
    const test = await startTestProducer({
      feed, url: server.url, brokers: services.kafkaBrokers, overrides: { productIds: PRODUCTS, resubscribeIntervalMs: 1000, logger },
    });
    running.push({ server, test });
    await waitFor('the confirmed products stream', async () => (await metricValue(test.registry, 'producer_ws_connected')) === 1);
    expect(await metricValue(test.registry, 'producer_unconfirmed_products', { product: 'MATIC-USD' })).toBe(1);
    expect(await metricValue(test.registry, 'producer_unconfirmed_products', { product: 'BTC-USD' })).toBe(0);
    expect(await metricValue(test.registry, 'producer_unconfirmed_products', { product: 'ETH-USD' })).toBe(0);

    // 3.5 s of trades: longer than the subscribe timeout that used to replace the connection every time.
    for (let i = 0; i < 14; i++) {
      server.trade('BTC-USD');
      server.trade('ETH-USD');
      await sleep(250);
    }
    await waitFor('the healthy products\' trades', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 28);
    expect(await metricValue(test.registry, 'producer_resubscribes_total'), 'asked again at least twice in 3.5 s').toBeGreaterThanOrEqual(2);

    const listedAtUs = Date.now() * 1000;
    server.listProducts('MATIC-USD');
    await waitFor('MATIC-USD picked up', async () => (await metricValue(test.registry, 'producer_unconfirmed_products', { product: 'MATIC-USD' })) === 0);
    server.trade('MATIC-USD', 2);
    server.trade('BTC-USD');
    await waitFor('every trade', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 31);
    await waitFor('a heartbeat of MATIC-USD', async () => (await readTopic(test.kafka, test.topics.normalized))
      .some((r) => { const e = decodeMarketEvent(r.value); return e.type === 'heartbeat' && e.productId === 'MATIC-USD'; }));
    await test.producer.stop(5000);

    expect(server.connections.length, 'never reconnected').toBe(1);
    expect(await metricValue(test.registry, 'producer_ws_reconnects_total')).toBe(0);
    const events: MarketEvent[] = (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
    const tradeIds = (productId: string) => events.filter((e): e is TradeEvent => e.type === 'trade' && e.productId === productId).map((t) => Number(t.tradeId));
    const from = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);
    expect(tradeIds('BTC-USD')).toEqual(from(900_000_000, 15));
    expect(tradeIds('ETH-USD')).toEqual(from(900_000_000, 14));
    expect(tradeIds('MATIC-USD')).toEqual(from(900_000_000, 2));
    expect(events.filter((e) => e.type === 'gap'), 'nothing was missed').toEqual([]);
    expect(events.filter((e) => e.productId === 'MATIC-USD' && e.type === 'heartbeat' && e.receivedAtUs < listedAtUs), 'no heartbeat for a product that does not stream').toEqual([]);

    const retries = await metricValue(test.registry, 'producer_resubscribes_total');
    const asked = server.connections[0]!.subscribeMessages.map((m) => m.product_ids);
    if (feed === 'advanced-trade') {
      // market_trades, ticker, heartbeats; then market_trades and ticker for MATIC-USD alone at each retry.
      expect(asked).toEqual([PRODUCTS, PRODUCTS, undefined, ...Array<string[]>(2 * retries).fill(['MATIC-USD'])]);
      expect(await metricValue(test.registry, 'producer_ws_error_frames_total')).toBe(0);
    } else {
      // Refused whole ("MATIC-USD is not a valid product"), subscribed again without it, then retried alone.
      expect(asked).toEqual([PRODUCTS, ['BTC-USD', 'ETH-USD'], ...Array<string[]>(retries).fill(['MATIC-USD'])]);
      expect(await metricValue(test.registry, 'producer_ws_error_frames_total'), 'the first refusal and every retry before the listing').toBe(retries);
    }
    const reported = logs.filter((l) => l['msg'] === 'Coinbase did not confirm these products; streaming the others and asking again periodically');
    expect(reported.map((l) => [l['level'], l['unconfirmed'], l['streaming'], l['resubscribeIntervalMs']]))
      .toEqual([[40, ['MATIC-USD'], ['BTC-USD', 'ETH-USD'], 1000]]);
    expect(logs.filter((l) => l['msg'] === 'Coinbase now confirms products it had left out: streaming them').map((l) => l['products'])).toEqual([['MATIC-USD']]);
    expect(logs.filter((l) => l['msg'] === 'asking Coinbase again for the products it has not confirmed')).toHaveLength(retries);
  });
});
