import { describe, expect, it } from 'vitest';
import { mapRestTrades } from './mapRestTrades.js';
import { MalformedBodyError } from './Rejected.js';

// The shape of Coinbase Exchange's Get product trades: newest first, trade_id an integer, side the maker's.
const page = [
  { time: '2026-04-25T13:53:49.062102Z', trade_id: 1008094908, price: '77706.48', size: '0.0000001', side: 'buy' },
  { time: '2026-04-25T13:53:06.170361Z', trade_id: 1008094628, price: '77668.92', size: '0.0003128', side: 'sell' },
];

describe('mapRestTrades', () => {
  it('maps REST trades to trade events oldest first, with the taker side (the maker side inverted)', () => {
    const { events, rejected } = mapRestTrades(page, 'BTC-USD', 7);
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      { type: 'trade', v: 1, source: 'coinbase-exchange', productId: 'BTC-USD', exchangeTimeUs: Date.parse('2026-04-25T13:53:06Z') * 1000 + 170_361, receivedAtUs: 7, tradeId: '1008094628', price: '77668.92', size: '0.0003128', side: 'buy', snapshot: false },
      { type: 'trade', v: 1, source: 'coinbase-exchange', productId: 'BTC-USD', exchangeTimeUs: Date.parse('2026-04-25T13:53:49Z') * 1000 + 62_102, receivedAtUs: 7, tradeId: '1008094908', price: '77706.48', size: '0.0000001', side: 'sell', snapshot: false },
    ]);
  });

  it('orders by trade id numerically, not as text', () => {
    const { events } = mapRestTrades([{ ...page[0], trade_id: 10 }, { ...page[0], trade_id: 9 }], 'BTC-USD', 0);
    expect(events.map((e) => e.tradeId)).toEqual(['9', '10']);
  });

  it('rejects repeated ids and invalid trades with the reason', () => {
    const { events, rejected } = mapRestTrades([page[0], page[0], { ...page[1], price: '0' }, { ...page[1], side: 'up' }, { ...page[1], time: 'yesterday' }], 'BTC-USD', 0);
    expect(events).toHaveLength(1);
    expect(rejected.map((r) => [r.reason, r.detail])).toEqual([
      ['duplicate', 'trade 1008094908 repeated in one page'],
      ['schema', 'trade/price must match pattern "^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$"'],
      ['schema', 'side "up" is not buy or sell'],
      ['schema', 'time "yesterday" is not RFC 3339'],
    ]);
  });

  it('refuses a body that is not an array', () => {
    expect(() => mapRestTrades({ message: 'x' }, 'BTC-USD', 0)).toThrow(MalformedBodyError);
  });
});
