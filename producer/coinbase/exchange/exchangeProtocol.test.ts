import { describe, expect, it } from 'vitest';
import { FeedSession } from '../../feed/FeedSession.js';
import { FeedState } from '../../feed/FeedState.js';
import { readFixtureFrames } from '../fixtures/readFixtureFrames.js';
import { exchangeProtocol } from './exchangeProtocol.js';

const RECEIVED_AT_US = 1_795_000_000_000_000;
const source = 'coinbase-exchange';
const us = (iso: string, micros: number): number => Date.parse(iso) * 1000 + micros;

function handleFixture(line: number) {
  const text = readFixtureFrames('exchange')[line - 1]!;
  const session = new FeedSession({
    protocol: exchangeProtocol, productIds: ['BTC-USD', 'ETH-USD'], state: new FeedState(100),
    connectionId: 'c1', maxFrameBytes: 1 << 20, startGap: null,
  });
  return session.handle({ source, connectionId: 'c1', receivedAtUs: RECEIVED_AT_US, payload: Buffer.from(text) }, false);
}

describe('exchangeProtocol', () => {
  it('subscribes to matches, ticker and heartbeat in one message', () => {
    expect(exchangeProtocol.subscribeMessages(['BTC-USD']).map((m) => JSON.parse(m) as unknown)).toEqual([
      { type: 'subscribe', product_ids: ['BTC-USD'], channels: ['matches', 'ticker', 'heartbeat'] },
    ]);
  });

  it('maps the documented heartbeat to a heartbeat of its product', () => {
    expect(handleFixture(1).events).toEqual([{
      type: 'heartbeat', v: 1, source, productId: 'BTC-USD', exchangeTimeUs: us('2014-11-07T08:19:28Z', 464_459),
      receivedAtUs: RECEIVED_AT_US,
    }]);
  });

  it('maps the documented ticker to a quote timed by its trade', () => {
    expect(handleFixture(2).events).toEqual([{
      type: 'quote', v: 1, source, productId: 'ETH-USD', exchangeTimeUs: us('2022-10-19T23:28:22Z', 61_769),
      receivedAtUs: RECEIVED_AT_US, price: '1285.22', bidPrice: '1285.04', bidSize: '0.46688654',
      askPrice: '1285.27', askSize: '1.56637040',
    }]);
  });

  it.each([
    [3, '10', 'BTC-USD', '400.23', '5.23512', 'buy', false, us('2014-11-07T08:19:27Z', 28_459)],
    [7, '1008094908', 'BTC-USD', '77706.48', '0.0000001', 'sell', true, us('2026-04-25T13:53:49Z', 62_102)],
    [8, '585677084', 'BTC-USD', '41911.49', '0.00229108', 'buy', false, us('2023-12-13T17:17:37Z', 563_411)],
  ])('maps the match on line %i (trade %s) with the taker side', (line, tradeId, productId, price, size, side, snapshot, exchangeTimeUs) => {
    expect(handleFixture(line).events).toEqual([{
      type: 'trade', v: 1, source, productId, exchangeTimeUs, receivedAtUs: RECEIVED_AT_US, tradeId, price, size,
      side, snapshot,
    }]);
  });

  it('reads the subscriptions confirmation', () => {
    const outcome = handleFixture(4);
    expect(outcome.channel).toBe('subscriptions');
    expect(outcome.events).toEqual([]);
    expect(outcome.confirmedNow).toBe(false);
  });

  it('maps the live ticker', () => {
    expect(handleFixture(6).events).toEqual([{
      type: 'quote', v: 1, source, productId: 'BTC-USD', exchangeTimeUs: us('2026-04-25T13:53:06Z', 170_361),
      receivedAtUs: RECEIVED_AT_US, price: '77668.92', bidPrice: '77668.91', bidSize: '0.20495031',
      askPrice: '77668.92', askSize: '0.49546688',
    }]);
  });

  it.each([
    [5, 'error message', null],
    [9, 'Failed to subscribe', 'No channels provided'],
    [10, 'Failed to subscribe', 'level2, level3, and full channels now require authentication. https://docs.cloud.coinbase.com/exchange/docs/websocket-auth'],
  ])('reports the error on line %i', (line, message, reason) => {
    const outcome = handleFixture(line);
    expect(outcome.channel).toBe('error');
    expect(outcome.error).toEqual({ message, reason });
    expect(outcome.deadLetter).toBeNull();
  });

  describe('product ids', () => {
    const matchOf = (productId: string) => ({
      type: 'match', trade_id: 12345, sequence: 50, maker_order_id: 'm', taker_order_id: 't', time: '2026-09-07T23:37:22.100000Z',
      product_id: productId, size: '0.01', price: '110000.5', side: 'sell',
    });

    it('accepts BTC-PERP-INTX in match, ticker and heartbeat messages', () => {
      const match = exchangeProtocol.parse(matchOf('BTC-PERP-INTX'));
      expect(match.ok && match.content.trades.map((t) => t.productId)).toEqual(['BTC-PERP-INTX']);
      const ticker = exchangeProtocol.parse({ type: 'ticker', sequence: 51, product_id: 'BTC-PERP-INTX', price: '110000.5', time: '2026-09-07T23:37:22.100000Z' });
      expect(ticker.ok && ticker.content.quotes.map((q) => q.productId)).toEqual(['BTC-PERP-INTX']);
      const heartbeat = exchangeProtocol.parse({ type: 'heartbeat', sequence: 52, last_trade_id: 12345, product_id: 'BTC-PERP-INTX', time: '2026-09-07T23:37:22.100000Z' });
      expect(heartbeat.ok && heartbeat.content.heartbeat).toEqual({ productIds: ['BTC-PERP-INTX'], exchangeTimeUs: us('2026-09-07T23:37:22Z', 100_000) });
    });

    it.each(['btc-usd', 'BTCUSD', 'BTC-USD-', 'A-B-C-D-E'])('dead-letters a match with the product id %s', (id) => {
      expect(exchangeProtocol.parse(matchOf(id)))
        .toEqual({ ok: false, reason: 'schema', detail: 'product_id must match pattern "^[A-Z0-9]{1,16}(-[A-Z0-9]{1,16}){1,3}$"' });
    });
  });

  it('dead-letters message types it does not handle', () => {
    expect(exchangeProtocol.parse({ type: 'l2update', product_id: 'BTC-USD' }))
      .toEqual({ ok: false, reason: 'unknown', detail: 'unexpected message type "l2update"' });
    expect(exchangeProtocol.parse({ product_id: 'BTC-USD' }))
      .toEqual({ ok: false, reason: 'schema', detail: '(frame) must have property type' });
  });
});
