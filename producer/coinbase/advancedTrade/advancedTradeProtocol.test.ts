import { describe, expect, it } from 'vitest';
import type { GapEvent } from '../../../wire/MarketEvent.js';
import { FeedSession } from '../../feed/FeedSession.js';
import { FeedState } from '../../feed/FeedState.js';
import { readFixtureFrames } from '../fixtures/readFixtureFrames.js';
import { advancedTradeProtocol } from './advancedTradeProtocol.js';

const RECEIVED_AT_US = 1_795_000_000_000_000;
const source = 'coinbase-advanced-trade';
const us = (iso: string, micros: number): number => Date.parse(iso) * 1000 + micros;

/**
 * Each fixture line through a fresh connection. Live captures are mid-stream (their `sequence_num` is not 0),
 * so as a connection's first frame they also report the frames before them as lost; `events` leaves those
 * gap markers out, and a test of its own checks them.
 */
function handleFixture(line: number) {
  const text = readFixtureFrames('advanced-trade')[line - 1]!;
  const session = new FeedSession({
    protocol: advancedTradeProtocol, productIds: ['BTC-USD', 'ETH-USD'], state: new FeedState(100),
    connectionId: 'c1', maxFrameBytes: 1 << 20, startGap: null,
  });
  const outcome = session.handle({ source, connectionId: 'c1', receivedAtUs: RECEIVED_AT_US, payload: Buffer.from(text) }, false);
  return {
    ...outcome,
    events: outcome.events.filter((e) => e.type !== 'gap'),
    gaps: outcome.events.filter((e): e is GapEvent => e.type === 'gap'),
  };
}

describe('advancedTradeProtocol', () => {
  it('subscribes one channel per message, heartbeats once and without products', () => {
    expect(advancedTradeProtocol.subscribeMessages(['BTC-USD', 'ETH-USD']).map((m) => JSON.parse(m) as unknown)).toEqual([
      { type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel: 'market_trades' },
      { type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel: 'ticker' },
      { type: 'subscribe', channel: 'heartbeats' },
    ]);
  });

  it('maps the documented heartbeats frame (string counter) to a heartbeat per subscribed product', () => {
    const outcome = handleFixture(1);
    const exchangeTimeUs = us('2023-06-23T20:31:26Z', 122_969);
    expect(outcome.channel).toBe('heartbeats');
    expect(outcome.events).toEqual(['BTC-USD', 'ETH-USD'].map((productId) => ({
      type: 'heartbeat', v: 1, source, productId, exchangeTimeUs, receivedAtUs: RECEIVED_AT_US,
    })));
  });

  it.each([
    [2, 'candles'], [5, 'status'], [6, 'l2_data'], [7, 'ticker_batch'],
  ])('dead-letters line %i, a %s frame of a channel the producer never subscribes to', (line, channel) => {
    const outcome = handleFixture(line);
    expect(outcome.channel).toBe('invalid');
    expect(outcome.events).toEqual([]);
    expect(outcome.deadLetter).toMatchObject({ reason: 'unknown', detail: `unexpected channel "${channel}"`, origin: source });
    expect(outcome.deadLetter?.payload.toString()).toBe(readFixtureFrames('advanced-trade')[line - 1]);
  });

  it('maps the documented market_trades snapshot, inverting the maker side to the taker side', () => {
    expect(handleFixture(3).events).toEqual([{
      type: 'trade', v: 1, source, productId: 'ETH-USD', exchangeTimeUs: us('2019-08-14T20:42:27.265Z', 0),
      receivedAtUs: RECEIVED_AT_US, tradeId: '000000000', price: '1260.01', size: '0.3', side: 'sell', snapshot: true,
    }]);
  });

  it('maps the documented ticker to a quote timed by the envelope', () => {
    expect(handleFixture(4).events).toEqual([{
      type: 'quote', v: 1, source, productId: 'BTC-USD', exchangeTimeUs: us('2023-02-09T20:30:37Z', 167_359),
      receivedAtUs: RECEIVED_AT_US, price: '21932.98', bidPrice: '21931.98', bidSize: '8000.21',
      askPrice: '21933.98', askSize: '8038.07770938',
    }]);
  });

  it.each([
    [8, '929248657', '88355.59', '0.00136573', 'buy', us('2025-12-31T06:00:12Z', 445_240)],
    [9, '929248658', '88355.59', '0.00022409', 'buy', us('2025-12-31T06:00:12Z', 605_867)],
    [10, '929248659', '88355.58', '0.00006677', 'sell', us('2025-12-31T06:00:13Z', 456_090)],
  ])('maps live market_trades line %i (trade %s)', (line, tradeId, price, size, side, exchangeTimeUs) => {
    expect(handleFixture(line).events).toEqual([{
      type: 'trade', v: 1, source, productId: 'BTC-USD', exchangeTimeUs, receivedAtUs: RECEIVED_AT_US,
      tradeId, price, size, side, snapshot: false,
    }]);
  });

  it('reports the frames before a connection\'s first frame as lost: numbering starts at 0', () => {
    expect(handleFixture(8).gaps.map((g) => [g.productId, g.reason, g.missed]))
      .toEqual([['BTC-USD', 'sequence', 1851], ['ETH-USD', 'sequence', 1851]]);
    expect(handleFixture(3).gaps, 'the documented example is numbered 0').toEqual([]);
  });

  it('reads the live subscriptions confirmation without publishing anything', () => {
    const outcome = handleFixture(11);
    expect(outcome.channel).toBe('subscriptions');
    expect(outcome.events).toEqual([]);
    expect(outcome.confirmedNow, 'level2 alone does not confirm market_trades, ticker and heartbeats').toBe(false);
  });

  it.each([
    [12, us('2026-09-07T23:37:22Z', 675_755)],
    [14, us('2026-09-30T02:37:15Z', 57_895)],
  ])('maps live heartbeats line %i (integer counter)', (line, exchangeTimeUs) => {
    expect(handleFixture(line).events.map((e) => [e.type, e.productId, e.exchangeTimeUs])).toEqual([
      ['heartbeat', 'BTC-USD', exchangeTimeUs], ['heartbeat', 'ETH-USD', exchangeTimeUs],
    ]);
  });

  it.each([13, 15])('reports the error frame on line %i without dead-lettering it', (line) => {
    const outcome = handleFixture(line);
    expect(outcome.channel).toBe('error');
    expect(outcome.error).toEqual({ message: 'authentication failure', reason: null });
    expect(outcome.deadLetter).toBeNull();
    expect(outcome.events).toEqual([]);
  });

  it('names the failing field of a frame that breaks its channel schema', () => {
    const result = advancedTradeProtocol.parse({
      channel: 'market_trades', timestamp: '2025-12-31T06:00:12.516946132Z', sequence_num: 1,
      events: [{ type: 'update', trades: [{ trade_id: '1', product_id: 'BTC-USD', price: '-5', size: '1', side: 'SELL', time: '2025-12-31T06:00:12Z' }] }],
    });
    expect(result).toEqual({ ok: false, reason: 'schema', detail: 'events/0/trades/0/price must match pattern "^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$"' });
  });

  describe('product ids', () => {
    const tradesOf = (productId: string) => ({
      channel: 'market_trades', client_id: '', timestamp: '2026-09-07T23:37:22.278662782Z', sequence_num: 4,
      events: [{ type: 'update', trades: [{ trade_id: '12345', product_id: productId, price: '110000.5', size: '0.01', side: 'BUY', time: '2026-09-07T23:37:22.1Z' }] }],
    });
    const tickerOf = (productId: string) => ({
      channel: 'ticker', client_id: '', timestamp: '2026-09-07T23:37:22.278662782Z', sequence_num: 5,
      events: [{ type: 'update', tickers: [{ type: 'ticker', product_id: productId, price: '110000.5' }] }],
    });

    it('accepts an International perpetual, BTC-PERP-INTX, in market_trades and ticker frames', () => {
      const trades = advancedTradeProtocol.parse(tradesOf('BTC-PERP-INTX'));
      expect(trades.ok && trades.content.trades.map((t) => [t.productId, t.tradeId])).toEqual([['BTC-PERP-INTX', '12345']]);
      const ticker = advancedTradeProtocol.parse(tickerOf('BTC-PERP-INTX'));
      expect(ticker.ok && ticker.content.quotes.map((q) => q.productId)).toEqual(['BTC-PERP-INTX']);
    });

    it.each(['btc-usd', 'BTCUSD', 'BTC--USD', 'A-B-C-D-E'])('dead-letters a frame with the product id %s', (id) => {
      expect(advancedTradeProtocol.parse(tradesOf(id)))
        .toEqual({ ok: false, reason: 'schema', detail: 'events/0/trades/0/product_id must match pattern "^[A-Z0-9]{1,16}(-[A-Z0-9]{1,16}){1,3}$"' });
    });
  });

  it('rejects a frame without a channel, and a frame with an impossible date', () => {
    expect(advancedTradeProtocol.parse({ sequence_num: 1 })).toEqual({ ok: false, reason: 'schema', detail: '(frame) must have property channel' });
    expect(advancedTradeProtocol.parse({
      channel: 'heartbeats', timestamp: '2025-13-45T06:00:12Z', sequence_num: 1, events: [{ current_time: 'x', heartbeat_counter: 1 }],
    })).toEqual({ ok: false, reason: 'schema', detail: 'timestamp is not a valid date' });
  });
});
