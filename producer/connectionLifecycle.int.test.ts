import { afterEach, describe, expect, inject, it } from 'vitest';
import { readDeadLetterRecord } from '../wire/deadLetterRecord.js';
import type { GapEvent, TradeEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { CoinbaseProtocolServer, type CoinbaseProtocolServerOptions } from '../simulator/CoinbaseProtocolServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { startTestProducer, type TestProducer } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

describe('MarketDataProducer connection lifecycle', () => {
  const services = inject('services');
  const running: { server: CoinbaseProtocolServer; test: TestProducer }[] = [];

  async function start(server: Omit<CoinbaseProtocolServerOptions, 'feed'> = {}, overrides: Parameters<typeof startTestProducer>[0]['overrides'] = {}) {
    const s = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 200, ...server });
    const test = await startTestProducer({ feed: 'advanced-trade', url: s.url, brokers: services.kafkaBrokers, overrides });
    running.push({ server: s, test });
    return { server: s, test };
  }

  afterEach(async () => {
    for (const { server, test } of running.splice(0)) {
      await test.producer.stop(1000);
      await server.close();
    }
  });

  it('reconnects when Coinbase refuses the subscription with an error frame', async () => {
    const { server, test } = await start({ refuseSubscriptions: 1 });
    await server.subscribed(2);
    server.trade('BTC-USD', 2);
    await waitFor('trades on the second connection', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 2);
    expect(await metricValue(test.registry, 'producer_ws_reconnects_total', { reason: 'subscribe_error' })).toBe(1);
    expect(await metricValue(test.registry, 'producer_ws_error_frames_total'), 'the first error ends the connection').toBe(1);
  });

  it('reconnects when the subscriptions are not confirmed in time', async () => {
    const { server, test } = await start({ withholdConfirmations: 1 }, { subscribeTimeoutMs: 600 });
    await server.subscribed(2);
    await waitFor('a confirmed connection', async () => (await metricValue(test.registry, 'producer_ws_connected')) === 1);
    expect(await metricValue(test.registry, 'producer_ws_reconnects_total', { reason: 'subscribe_timeout' })).toBe(1);
  });

  it('dead-letters a frame too large for the transport as a fact without bytes, and reconnects', async () => {
    const { server, test } = await start();
    const first = await server.subscribed(1);
    first.sendRaw(Buffer.alloc(4 * 16_384 + 1, 'x'));
    await server.subscribed(2);
    await test.producer.stop(5000);
    const letters = (await readTopic(test.kafka, test.topics.deadLetter)).map(readDeadLetterRecord);
    expect(letters.map((l) => [l.reason, l.payload.length])).toEqual([['oversized', 0]]);
    expect(letters[0]?.detail).toBe('Max payload size exceeded (limit 65536 bytes); payload not kept');
    expect(await metricValue(test.registry, 'producer_ws_reconnects_total', { reason: 'oversized' })).toBe(1);
    expect(await metricValue(test.registry, 'producer_invalid_frames_total', { reason: 'oversized' })).toBe(1);
  });

  it('publishes each trade once across a restart of the producer, and marks the restart as a gap', async () => {
    const { server, test } = await start();
    await server.subscribed(1);
    server.trade('BTC-USD', 5);
    server.trade('ETH-USD', 3);
    await waitFor('the first run\'s trades', async () => (await metricValue(test.registry, 'producer_trades_published_total')) === 8);
    await test.producer.stop(5000);

    // The same topics, a new process: its first snapshot repeats all eight trades.
    server.trade('BTC-USD', 2);
    const again = await startTestProducer({
      feed: 'advanced-trade', url: server.url, brokers: services.kafkaBrokers, overrides: {}, topicPrefix: test.topics.raw.replace('prices.raw', ''),
    });
    running.push({ server, test: again });
    await server.subscribed(2);
    await waitFor('the second run\'s trades', async () => (await metricValue(again.registry, 'producer_trades_published_total')) === 2);
    await again.producer.stop(5000);
    expect(await metricValue(again.registry, 'producer_duplicate_trades_total')).toBe(8);

    const events = (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
    const trades = events.filter((e): e is TradeEvent => e.type === 'trade').map((t) => `${t.productId}#${t.tradeId}`);
    expect(trades.length).toBe(10);
    expect(new Set(trades).size).toBe(10);
    const gaps = events.filter((e): e is GapEvent => e.type === 'gap');
    expect(gaps.map((g) => [g.productId, g.reason])).toEqual([['BTC-USD', 'reconnect'], ['ETH-USD', 'reconnect']]);
    const lastBtcBefore = events.filter((e): e is TradeEvent => e.type === 'trade' && e.productId === 'BTC-USD')[4];
    expect(gaps[0]?.fromExchangeTimeUs, 'the gap starts at what the first run published last').toBeGreaterThanOrEqual(lastBtcBefore?.exchangeTimeUs ?? Infinity);
  });
});
