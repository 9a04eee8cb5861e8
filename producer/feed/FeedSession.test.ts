import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../wire/MarketEvent.js';
import { advancedTradeProtocol } from '../coinbase/advancedTrade/advancedTradeProtocol.js';
import { exchangeProtocol } from '../coinbase/exchange/exchangeProtocol.js';
import type { FeedProtocol } from './FeedProtocol.js';
import { FeedSession, type StartGap } from './FeedSession.js';
import { FeedState } from './FeedState.js';

const T0 = Date.parse('2026-11-21T10:00:00Z') * 1000;
const iso = (offsetUs: number): string => {
  const totalUs = T0 + offsetUs;
  return `${new Date(Math.floor(totalUs / 1000)).toISOString().slice(0, 19)}.${String(totalUs % 1_000_000).padStart(6, '0')}Z`;
};

function session(options: { protocol?: FeedProtocol; state?: FeedState; startGap?: StartGap | null; maxFrameBytes?: number; productIds?: string[] } = {}) {
  return new FeedSession({
    protocol: options.protocol ?? advancedTradeProtocol, productIds: options.productIds ?? ['BTC-USD', 'ETH-USD'],
    state: options.state ?? new FeedState(100), connectionId: 'c1', maxFrameBytes: options.maxFrameBytes ?? 4096,
    startGap: options.startGap ?? null,
  });
}

let receivedAtUs = T0 + 10_000_000;
/** A frame through the session; kept (committed) unless `keep` is false, as when the producer's queue is full. */
function send(s: FeedSession, frame: unknown, isBinary = false, keep = true) {
  const payload = Buffer.isBuffer(frame) ? frame : Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame));
  receivedAtUs += 1000;
  const outcome = s.handle({ source: 'coinbase-advanced-trade', connectionId: 'c1', receivedAtUs, payload }, isBinary);
  if (keep) s.commit(outcome);
  return outcome;
}

const trade = (id: number, product = 'BTC-USD', offsetUs = id * 1000) =>
  ({ trade_id: String(id), product_id: product, price: '100.5', size: '0.1', side: 'SELL', time: iso(offsetUs) });
const tradesFrame = (seq: number, events: { type?: string; trades: unknown[] }[]) =>
  ({ channel: 'market_trades', timestamp: iso(seq * 1_000_000), sequence_num: seq, events: events.map((e) => ({ type: e.type ?? 'update', trades: e.trades })) });
const heartbeatFrame = (seq: number, offsetUs = seq * 1_000_000) =>
  ({ channel: 'heartbeats', timestamp: iso(offsetUs), sequence_num: seq, events: [{ current_time: 'x', heartbeat_counter: seq }] });
const ids = (events: readonly MarketEvent[]) => events.map((e) => (e.type === 'trade' ? `${e.productId}#${e.tradeId}` : e.type));

describe('FeedSession', () => {
  it('emits a multi-event, newest-first trade frame oldest first, per product', () => {
    const outcome = send(session(), tradesFrame(0, [
      { trades: [trade(5), trade(4), trade(902, 'ETH-USD')] },
      { trades: [trade(3), trade(901, 'ETH-USD'), trade(2)] },
    ]));
    expect(ids(outcome.events)).toEqual(['BTC-USD#2', 'BTC-USD#3', 'BTC-USD#4', 'BTC-USD#5', 'ETH-USD#901', 'ETH-USD#902']);
  });

  it('orders trade ids numerically, not as text', () => {
    const outcome = send(session(), tradesFrame(0, [{ trades: [trade(10), trade(9), trade(100)] }]));
    expect(ids(outcome.events)).toEqual(['BTC-USD#9', 'BTC-USD#10', 'BTC-USD#100']);
  });

  it('publishes a gap marker per product when sequence numbers jump, starting at the last event time', () => {
    const s = session();
    send(s, tradesFrame(0, [{ trades: [trade(1, 'BTC-USD', 500)] }]));
    const outcome = send(s, heartbeatFrame(4, 4_000_000));
    expect(outcome.sequenceGap).toBe(3);
    expect(outcome.events.filter((e) => e.type === 'gap')).toEqual(['BTC-USD', 'ETH-USD'].map((productId) => ({
      type: 'gap', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: T0 + 4_000_000, receivedAtUs,
      reason: 'sequence', missed: 3, fromExchangeTimeUs: productId === 'BTC-USD' ? T0 + 500 : null,
    })));
    expect(ids(outcome.events), 'the gap comes before the frame\'s own events').toEqual(['gap', 'gap', 'heartbeat', 'heartbeat']);
  });

  it('reports frames lost before a new connection\'s first frame as part of its reconnect or overflow gap', () => {
    const reconnect = send(session({ startGap: { reason: 'reconnect', missed: null } }), heartbeatFrame(2));
    expect(reconnect.sequenceGap).toBe(2);
    expect(reconnect.events.filter((e) => e.type === 'gap')).toMatchObject([{ reason: 'reconnect', missed: null }, { reason: 'reconnect', missed: null }]);
    const overflow = send(session({ startGap: { reason: 'overflow', missed: 5 } }), heartbeatFrame(2));
    expect(overflow.events.filter((e) => e.type === 'gap')).toMatchObject([{ reason: 'overflow', missed: 7 }, { reason: 'overflow', missed: 7 }]);
  });

  it('drops a frame whose sequence number repeats or goes back', () => {
    const s = session();
    send(s, heartbeatFrame(0));
    send(s, heartbeatFrame(1));
    for (const seq of [1, 0]) {
      const outcome = send(s, heartbeatFrame(seq));
      expect(outcome.duplicateFrame).toBe(true);
      expect(outcome.events).toEqual([]);
    }
    expect(send(s, heartbeatFrame(2)).sequenceGap).toBe(0);
  });

  it('drops trades repeated by the snapshot of the next connection and reports the reconnect as a gap', () => {
    const state = new FeedState(100);
    send(session({ state }), tradesFrame(0, [{ trades: [trade(3), trade(2), trade(1)] }]));
    const next = session({ state, startGap: { reason: 'reconnect', missed: null } });
    const outcome = send(next, tradesFrame(0, [{ type: 'snapshot', trades: [trade(4), trade(3), trade(2)] }]));
    expect(outcome.duplicateTrades).toBe(2);
    expect(ids(outcome.events)).toEqual(['gap', 'gap', 'BTC-USD#4']);
    expect(outcome.events[0]).toMatchObject({ reason: 'reconnect', missed: null, fromExchangeTimeUs: T0 + 3000 });
    expect(outcome.events[3 - 1]).toMatchObject({ snapshot: true });
  });

  it('forgets a frame that was not kept: its trades are welcome when a snapshot repeats them, and gaps start before it', () => {
    const state = new FeedState(100);
    const first = session({ state });
    send(first, tradesFrame(0, [{ trades: [trade(1)] }]));
    const dropped = send(first, tradesFrame(1, [{ trades: [trade(3), trade(2)] }]), false, false);
    expect(ids(dropped.events)).toEqual(['BTC-USD#2', 'BTC-USD#3']);
    const next = session({ state, startGap: { reason: 'overflow', missed: 1 } });
    const outcome = send(next, tradesFrame(0, [{ type: 'snapshot', trades: [trade(3), trade(2), trade(1)] }]));
    expect(outcome.duplicateTrades, 'only trade 1 was published before').toBe(1);
    expect(ids(outcome.events)).toEqual(['gap', 'gap', 'BTC-USD#2', 'BTC-USD#3']);
    expect(outcome.events[0]).toMatchObject({ reason: 'overflow', missed: 1, fromExchangeTimeUs: T0 + 1000 });
  });

  it('drops a trade repeated within one frame', () => {
    const outcome = send(session(), tradesFrame(0, [{ trades: [trade(2), trade(1)] }, { trades: [trade(2)] }]));
    expect(ids(outcome.events)).toEqual(['BTC-USD#1', 'BTC-USD#2']);
    expect(outcome.duplicateTrades).toBe(1);
  });

  it('reports an overflow with the number of frames dropped, at the first frame that carries a time', () => {
    const s = session({ startGap: { reason: 'overflow', missed: 42 } });
    expect(send(s, { type: 'error', message: 'x' }).events, 'an error frame has no time').toEqual([]);
    expect(send(s, heartbeatFrame(0)).events.filter((e) => e.type === 'gap'))
      .toMatchObject([{ reason: 'overflow', missed: 42 }, { reason: 'overflow', missed: 42 }]);
  });

  it('confirms the connection once the subscriptions cover every channel and product', () => {
    const s = session();
    expect(s.missingSubscriptions).toEqual(['market_trades', 'ticker', 'heartbeats']);
    const partial = { market_trades: ['BTC-USD', 'ETH-USD'], ticker: ['BTC-USD'] };
    expect(send(s, { channel: 'subscriptions', timestamp: iso(0), sequence_num: 0, events: [{ subscriptions: partial }] }).confirmedNow).toBe(false);
    expect(s.missingSubscriptions).toEqual(['ticker:ETH-USD', 'heartbeats']);
    const full = { ...partial, ticker: ['BTC-USD', 'ETH-USD'], heartbeats: ['heartbeats'] };
    expect(send(s, { channel: 'subscriptions', timestamp: iso(1), sequence_num: 1, events: [{ subscriptions: full }] }).confirmedNow).toBe(true);
    expect(s.confirmed).toBe(true);
    expect(send(s, { channel: 'subscriptions', timestamp: iso(2), sequence_num: 2, events: [{ subscriptions: full }] }).confirmedNow,
      'only the first complete confirmation counts').toBe(false);
  });

  describe('with a product Coinbase does not confirm (BTC-USD, ETH-USD, MATIC-USD asked; the reply lists two)', () => {
    const productIds = ['BTC-USD', 'ETH-USD', 'MATIC-USD'];
    const reply = (seq: number, subscriptions: Record<string, string[]>) =>
      ({ channel: 'subscriptions', timestamp: iso(seq * 1_000_000), sequence_num: seq, events: [{ subscriptions }] });
    const healthy = ['BTC-USD', 'ETH-USD'];

    it('Advanced Trade: answered once the three replies are in; the confirmed two stream, MATIC-USD is unconfirmed and asked for again', () => {
      const s = session({ productIds });
      expect(s.subscribeMessages().map((m) => JSON.parse(m) as unknown)).toEqual([
        { type: 'subscribe', product_ids: productIds, channel: 'market_trades' },
        { type: 'subscribe', product_ids: productIds, channel: 'ticker' },
        { type: 'subscribe', channel: 'heartbeats' },
      ]);
      expect(send(s, reply(0, { market_trades: healthy })).confirmedNow).toBe(false);
      expect(send(s, reply(1, { market_trades: healthy, ticker: healthy })).confirmedNow, 'heartbeats not answered yet').toBe(false);
      expect(s.resubscribeMessages(), 'nothing to ask again before the answer').toEqual([]);
      const answered = send(s, reply(2, { market_trades: healthy, ticker: healthy, heartbeats: ['heartbeats'] }));
      expect(answered.confirmedNow).toBe(true);
      expect(answered.subscriptionUpdate).toEqual({ streaming: healthy, unconfirmed: ['MATIC-USD'], pickedUp: [] });
      expect(s.unconfirmedProducts).toEqual(['MATIC-USD']);
      expect(ids(send(s, heartbeatFrame(3)).events), 'heartbeats only for the products that stream').toEqual(['heartbeat', 'heartbeat']);
      expect(s.resubscribeMessages().map((m) => JSON.parse(m) as unknown), 'only the product channels, only MATIC-USD').toEqual([
        { type: 'subscribe', product_ids: ['MATIC-USD'], channel: 'market_trades' },
        { type: 'subscribe', product_ids: ['MATIC-USD'], channel: 'ticker' },
      ]);
      expect(send(s, reply(4, { market_trades: healthy, ticker: healthy, heartbeats: ['heartbeats'] })).subscriptionUpdate, 'no change, no update').toBeNull();
      const all = { market_trades: productIds, ticker: productIds, heartbeats: ['heartbeats'] };
      expect(send(s, reply(5, { ...all, ticker: healthy })).subscriptionUpdate, 'on one channel only: still unconfirmed').toBeNull();
      const picked = send(s, reply(6, all));
      expect(picked.confirmedNow).toBe(false);
      expect(picked.subscriptionUpdate).toEqual({ streaming: productIds, unconfirmed: [], pickedUp: ['MATIC-USD'] });
      expect(s.resubscribeMessages()).toEqual([]);
      expect(ids(send(s, heartbeatFrame(7)).events)).toEqual(['heartbeat', 'heartbeat', 'heartbeat']);
    });

    it('Exchange: an error naming the product refuses it alone; the others are subscribed again, and it is retried later', () => {
      const s = session({ protocol: exchangeProtocol, productIds });
      const refused = send(s, { type: 'error', message: 'Failed to subscribe', reason: 'MATIC-USD is not a valid product' });
      expect(refused.refusedProduct).toBe('MATIC-USD');
      expect(refused.subscribe.map((m) => JSON.parse(m) as unknown)).toEqual([
        { type: 'subscribe', product_ids: healthy, channels: ['matches', 'ticker', 'heartbeat'] },
      ]);
      expect(s.confirmed).toBe(false);
      const channels = (products: string[]) => ({ type: 'subscriptions', channels: ['matches', 'ticker', 'heartbeat'].map((name) => ({ name, product_ids: products })) });
      const answered = send(s, channels(healthy));
      expect(answered.confirmedNow).toBe(true);
      expect(answered.subscriptionUpdate).toEqual({ streaming: healthy, unconfirmed: ['MATIC-USD'], pickedUp: [] });
      expect(s.resubscribeMessages().map((m) => JSON.parse(m) as unknown)).toEqual([
        { type: 'subscribe', product_ids: ['MATIC-USD'], channels: ['matches', 'ticker', 'heartbeat'] },
      ]);
      const again = send(s, { type: 'error', message: 'Failed to subscribe', reason: 'MATIC-USD is not a valid product' });
      expect([again.refusedProduct, again.subscribe, s.confirmed], 'refused again: nothing to resend, the connection stays').toEqual(['MATIC-USD', [], true]);
      expect(send(s, channels(productIds)).subscriptionUpdate).toEqual({ streaming: productIds, unconfirmed: [], pickedUp: ['MATIC-USD'] });
    });

    it('an error that names no requested product is not a refusal of one', () => {
      const s = session({ protocol: exchangeProtocol, productIds });
      const outcome = send(s, { type: 'error', message: 'Failed to subscribe', reason: 'MATIC-USDC is not a valid product' });
      expect([outcome.refusedProduct, outcome.subscribe]).toEqual([null, []]);
    });
  });

  describe('when sequence numbers restart lower mid-connection (a venue-side restart)', () => {
    it('Advanced Trade 1852 → 0: a new baseline with a sequence_reset gap per product, and nothing dropped after it', () => {
      const s = session();
      // The first frame seen is 1851: frames 0–1850 of the connection were missed (a `sequence` gap at 1851 s).
      send(s, tradesFrame(1851, [{ trades: [trade(929248657, 'BTC-USD', 1_851_500_000)] }]));
      send(s, tradesFrame(1852, [{ trades: [trade(929248658, 'BTC-USD', 1_852_500_000)] }]));
      const restarted = send(s, heartbeatFrame(0, 1_853_000_000));
      expect(restarted.duplicateFrame).toBe(false);
      expect(restarted.sequenceReset).toEqual({ stream: 'connection', from: 1852, to: 0 });
      expect(restarted.events.filter((e) => e.type === 'gap')).toEqual(['BTC-USD', 'ETH-USD'].map((productId) => ({
        type: 'gap', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: T0 + 1_853_000_000, receivedAtUs,
        reason: 'sequence_reset', missed: null, fromExchangeTimeUs: T0 + (productId === 'BTC-USD' ? 1_852_500_000 : 1_851_000_000),
      })));
      expect(ids(restarted.events)).toEqual(['gap', 'gap', 'heartbeat', 'heartbeat']);
      const next = send(s, tradesFrame(1, [{ trades: [trade(929248659, 'BTC-USD', 1_853_500_000)] }]));
      expect([next.duplicateFrame, next.sequenceGap, next.sequenceReset]).toEqual([false, 0, null]);
      expect(ids(next.events)).toEqual(['BTC-USD#929248659']);
    });

    it('Exchange match 26941144 → 624086 with a new trade id: a sequence_reset gap for the product, and the trade published', () => {
      const s = session({ protocol: exchangeProtocol });
      const match = (tradeId: number, sequence: number, offsetUs: number) => ({
        type: 'match', trade_id: tradeId, sequence, time: iso(offsetUs), product_id: 'BTC-USD', size: '1', price: '2', side: 'buy',
        maker_order_id: 'm', taker_order_id: 't',
      });
      send(s, match(585677084, 26941144, 1000));
      const restarted = send(s, match(585677085, 624086, 2000));
      expect(restarted.sequenceReset).toEqual({ stream: 'matches:BTC-USD', from: 26941144, to: 624086 });
      expect(ids(restarted.events)).toEqual(['gap', 'BTC-USD#585677085']);
      expect(restarted.events[0]).toEqual({
        type: 'gap', v: 1, source: 'coinbase-exchange', productId: 'BTC-USD', exchangeTimeUs: T0 + 2000, receivedAtUs,
        reason: 'sequence_reset', missed: null, fromExchangeTimeUs: T0 + 1000,
      });
      expect(send(s, match(585677084, 26941144, 1000)).duplicateTrades, 'the old trade, replayed, is still a repeat').toBe(1);
    });
  });

  it.each([
    ['oversized', Buffer.alloc(5000, 'x'), false, '5000 bytes exceeds the 4096-byte limit'],
    ['binary', Buffer.from([1, 2, 3]), true, 'binary frame'],
    ['unparseable', Buffer.from('{"channel":'), false, 'Unexpected end of JSON input'],
    ['unparseable', Buffer.from([0x7b, 0xff, 0x7d]), false, 'The encoded data was not valid for encoding utf-8'],
    ['schema', Buffer.from('[1,2]'), false, '(frame) must be an object'],
  ])('dead-letters a %s frame with its exact bytes', (reason, payload, isBinary, detail) => {
    const outcome = send(session(), payload, isBinary);
    expect(outcome.channel).toBe('invalid');
    expect(outcome.deadLetter).toEqual({ reason, detail, origin: 'coinbase-advanced-trade', connectionId: 'c1', receivedAtUs, payload });
  });

  it('keeps going after an invalid frame', () => {
    const s = session();
    send(s, '{nope');
    expect(ids(send(s, tradesFrame(0, [{ trades: [trade(1)] }])).events)).toEqual(['BTC-USD#1']);
  });

  describe('with the Exchange feed', () => {
    const match = (tradeId: number, sequence: number) => ({
      type: 'match', trade_id: tradeId, sequence, time: iso(tradeId * 1000), product_id: 'BTC-USD', size: '1', price: '2', side: 'buy',
      maker_order_id: 'm', taker_order_id: 't',
    });

    it('treats jumps in the product sequence as normal, and repeats as duplicates', () => {
      const s = session({ protocol: exchangeProtocol });
      expect(send(s, match(1, 100)).sequenceGap).toBe(0);
      expect(send(s, match(2, 350)).sequenceGap, 'public channels skip the full channel\'s order events').toBe(0);
      expect(send(s, match(2, 350)).duplicateFrame).toBe(true);
    });

    it('publishes a trade_id gap marker when consecutive trade ids jump', () => {
      const s = session({ protocol: exchangeProtocol });
      send(s, match(10, 1));
      const outcome = send(s, match(14, 2));
      expect(ids(outcome.events)).toEqual(['gap', 'BTC-USD#14']);
      expect(outcome.events[0]).toMatchObject({ productId: 'BTC-USD', reason: 'trade_id', missed: 3, fromExchangeTimeUs: T0 + 10_000, exchangeTimeUs: T0 + 14_000 });
      expect(ids(send(s, match(15, 3)).events), 'the jump is reported once').toEqual(['BTC-USD#15']);
    });
  });
});
