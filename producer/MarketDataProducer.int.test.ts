import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readDeadLetterRecord } from '../wire/deadLetterRecord.js';
import type { GapEvent, TradeEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { CoinbaseProtocolServer, type ServerConnection, type TapeTrade } from '../simulator/CoinbaseProtocolServer.js';
import { readTopic } from '../testing/kafka/readTopic.js';
import { metricValue } from '../testing/metrics/metricValue.js';
import { startTestProducer, type TestProducer } from '../testing/producer/startTestProducer.js';
import { waitFor } from '../testing/waitFor.js';

const PRODUCTS = ['BTC-USD', 'ETH-USD'] as const;
const key = (productId: string, tradeId: number | string) => `${productId}#${tradeId}`;

function tradesOf(connection: ServerConnection, ledger: 'deliveredTrades' | 'lostTrades'): string[] {
  return [...connection[ledger]].flatMap(([productId, ids]) => ids.map((id) => key(productId, id)));
}

describe('MarketDataProducer with the Advanced Trade protocol and a real Kafka broker', () => {
  const services = inject('services');
  let server: CoinbaseProtocolServer;
  let test: TestProducer;
  const badFrames = {
    unparseable: Buffer.from('{"channel":"market_trades","events":['),
    schema: Buffer.from(JSON.stringify({
      channel: 'market_trades', timestamp: '2026-11-21T10:00:00.000000000Z', sequence_num: 999_999,
      events: [{ type: 'update', trades: [{ trade_id: '1', product_id: 'BTC-USD', price: '-1', size: '1', side: 'BUY', time: '2026-11-21T10:00:00Z' }] }],
    })),
    unknown: Buffer.from(JSON.stringify({ channel: 'candles', timestamp: '2026-11-21T10:00:00Z', sequence_num: 1, events: [] })),
    oversized: Buffer.from(`{"pad":"${'x'.repeat(20_000)}"}`),
    binary: Buffer.from([0x00, 0x01, 0xfe]),
  };
  let connections: ServerConnection[];
  let lost: string[];

  beforeAll(async () => {
    server = await CoinbaseProtocolServer.start({ feed: 'advanced-trade', heartbeatIntervalMs: 200, snapshotTrades: 50 });
    // Trades from before the producer subscribed reach it through the subscription snapshot.
    server.trade('BTC-USD', 4);
    test = await startTestProducer({ feed: 'advanced-trade', url: server.url, brokers: services.kafkaBrokers });
    const c1 = await server.subscribed(1);
    for (let i = 1; i <= 10; i++) {
      server.trade('BTC-USD', 1 + (i % 4));
      server.trade('ETH-USD', 1 + (i % 3));
    }
    for (const [name, bytes] of Object.entries(badFrames)) c1.sendRaw(bytes, name === 'binary');
    c1.sendError('rate limit exceeded');
    c1.repeatLastFrame();
    server.trade('ETH-USD', 2);
    await waitFor('the first connection\'s trades', async () =>
      (await metricValue(test.registry, 'producer_trades_published_total')) === tradesOf(c1, 'deliveredTrades').length);

    // Disconnect mid-stream; the trades made meanwhile come back in the next subscription's snapshot.
    c1.drop();
    server.trade('BTC-USD', 3);
    const c2 = await server.subscribed(2);
    server.trade('ETH-USD', 3);

    // A silent stall: the watchdog replaces the connection.
    c2.stall();
    server.trade('ETH-USD', 2);
    server.trade('BTC-USD', 1);
    const c3 = await server.subscribed(3);
    server.trade('BTC-USD', 2);

    // Coinbase drops two frames (a market_trades frame and its ticker): their trades are lost for good.
    c3.loseNextFrames(2);
    server.trade('BTC-USD', 3);
    server.trade('ETH-USD', 1);
    connections = [c1, c2, c3];
    lost = tradesOf(c3, 'lostTrades');
    const expected = [...server.tape.values()].flat().length - lost.length;
    await waitFor('every delivered trade to be acknowledged', async () =>
      (await metricValue(test.registry, 'producer_trades_published_total')) === expected);
    await test.producer.stop(5000);
  });

  afterAll(async () => {
    await test.producer.stop(1000);
    await server.close();
  });

  it('publishes every trade Coinbase delivered exactly once, and none of the lost ones', async () => {
    const events = (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value));
    const published = events.filter((e): e is TradeEvent => e.type === 'trade').map((e) => key(e.productId, e.tradeId));
    const tape = [...server.tape.values()].flat().map((t) => key(t.productId, t.tradeId));
    expect(lost, 'the scenario loses three BTC-USD trades').toHaveLength(3);
    expect(published.length, 'no trade twice').toBe(new Set(published).size);
    expect(published.sort()).toEqual(tape.filter((k) => !lost.includes(k)).sort());
  });

  it('keeps each product\'s trades in trade-id order on its partition, with the tape\'s values', async () => {
    const records = await readTopic(test.kafka, test.topics.normalized);
    const tape = new Map([...server.tape.values()].flat().map((t) => [key(t.productId, t.tradeId), t]));
    for (const productId of PRODUCTS) {
      const trades = records.filter((r) => r.key === productId).map((r) => decodeMarketEvent(r.value))
        .filter((e): e is TradeEvent => e.type === 'trade');
      expect(new Set(records.filter((r) => r.key === productId).map((r) => r.partition)).size, 'one partition per product').toBe(1);
      const ids = trades.map((t) => Number(t.tradeId));
      expect(ids, `${productId} in trade-id order`).toEqual([...ids].sort((a, b) => a - b));
      for (const trade of trades) {
        const made = tape.get(key(trade.productId, trade.tradeId)) as TapeTrade;
        expect(trade).toMatchObject({
          price: made.price, size: made.size, exchangeTimeUs: made.timeUs,
          side: made.makerSide === 'buy' ? 'sell' : 'buy',
        });
      }
    }
    const firstBtc = records.map((r) => decodeMarketEvent(r.value)).filter((e): e is TradeEvent => e.type === 'trade' && e.productId === 'BTC-USD').slice(0, 4);
    expect(firstBtc.map((t) => t.snapshot), 'trades from before the subscription are marked as snapshot').toEqual([true, true, true, true]);
  });

  it('publishes gap markers for the disconnect, the stall and the lost frames', async () => {
    const gaps = (await readTopic(test.kafka, test.topics.normalized)).map((r) => decodeMarketEvent(r.value))
      .filter((e): e is GapEvent => e.type === 'gap');
    for (const productId of PRODUCTS) {
      expect(gaps.filter((g) => g.productId === productId).map((g) => [g.reason, g.missed])).toEqual([
        ['reconnect', null], ['reconnect', null], ['sequence', 2],
      ]);
    }
    for (const gap of gaps) {
      expect(gap.fromExchangeTimeUs, 'each gap starts at the last event before it').not.toBeNull();
      expect(gap.exchangeTimeUs).toBeGreaterThanOrEqual(gap.fromExchangeTimeUs as number);
    }
  });

  it('sends each invalid frame to the dead-letter topic with its reason and exact bytes', async () => {
    const letters = (await readTopic(test.kafka, test.topics.deadLetter)).map(readDeadLetterRecord);
    expect(letters.map((l) => l.reason)).toEqual(Object.keys(badFrames));
    expect(letters.map((l) => l.payload)).toEqual(Object.values(badFrames));
    expect(letters.find((l) => l.reason === 'schema')?.detail).toBe('events/0/trades/0/price must match pattern "^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$"');
    expect(letters.find((l) => l.reason === 'unknown')?.detail).toBe('unexpected channel "candles"');
    expect(letters.every((l) => l.origin === 'coinbase-advanced-trade' && l.connectionId !== '' && l.receivedAtUs > 0)).toBe(true);
  });

  it('records every received frame, valid or not, on the raw topic in arrival order', async () => {
    const raw = await readTopic(test.kafka, test.topics.raw);
    expect(raw.length).toBe(await metricValue(test.registry, 'producer_ws_frames_total'));
    expect(new Set(raw.map((r) => r.key))).toEqual(new Set(['coinbase-advanced-trade']));
    const payloads = raw.map((r) => Buffer.from(r.value));
    for (const bytes of Object.values(badFrames)) expect(payloads.some((p) => p.equals(bytes))).toBe(true);
    const received = raw.map((r) => Number(r.headers['received-at-us']));
    expect(received, 'arrival order').toEqual([...received].sort((a, b) => a - b));
  });

  it('counts what happened in its metrics', async () => {
    const m = (name: string, labels?: Record<string, string>) => metricValue(test.registry, name, labels);
    const delivered = connections.flatMap((c) => tradesOf(c, 'deliveredTrades'));
    const published = await m('producer_trades_published_total');
    expect(await m('producer_duplicate_trades_total'), 'snapshot trades seen before').toBe(delivered.length - new Set(delivered).size);
    expect(published).toBe(new Set(delivered).size);
    for (const productId of PRODUCTS) {
      const quotes = connections.reduce((sum, c) => sum + (c.deliveredQuotes.get(productId) ?? 0), 0);
      expect(await m('producer_quotes_published_total', { product: productId }), `${productId} quotes`).toBe(quotes);
    }
    expect(await m('producer_ws_reconnects_total', { reason: 'closed' })).toBe(1);
    expect(await m('producer_ws_reconnects_total', { reason: 'stall' })).toBe(1);
    expect(await m('producer_watchdog_stalls_total')).toBe(1);
    expect(await m('producer_sequence_gaps_total')).toBe(1);
    expect(await m('producer_sequence_missed_frames_total')).toBe(2);
    expect(await m('producer_duplicate_frames_total')).toBe(1);
    expect(await m('producer_ws_error_frames_total')).toBe(1);
    for (const reason of Object.keys(badFrames)) expect(await m('producer_invalid_frames_total', { reason }), reason).toBe(1);
    expect(await m('producer_gap_markers_published_total', { reason: 'reconnect' })).toBe(4);
    expect(await m('producer_gap_markers_published_total', { reason: 'sequence' })).toBe(2);
    expect(await m('producer_kafka_publish_latency_seconds'), 'every frame acknowledged').toBe(await m('producer_ws_frames_total'));
    expect(await m('producer_queue_frames'), 'drained on stop').toBe(0);
    expect(await m('producer_queue_overflow_frames_total')).toBe(0);
    expect(await m('producer_ws_connected'), 'stopped').toBe(0);
  });

  it('subscribed within the deadline on every connection', () => {
    expect(server.connections.map((c) => [c.closedByDeadline, (c.subscribedAtMs ?? Infinity) - c.openedAtMs < 5000])).toEqual([[false, true], [false, true], [false, true]]);
  });
});
