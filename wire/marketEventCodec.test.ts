import { describe, expect, it } from 'vitest';
import type { GapEvent, TradeEvent } from './MarketEvent.js';
import { decodeMarketEvent, encodeMarketEvent, WireDecodeError } from './marketEventCodec.js';

const trade: TradeEvent = {
  type: 'trade', v: 1, source: 'coinbase-advanced-trade', productId: 'BTC-PERP-INTX', exchangeTimeUs: 1_795_000_000_000_000,
  receivedAtUs: 1_795_000_000_100_000, tradeId: '12345', price: '110000.5', size: '0.01', side: 'buy', snapshot: false,
};

describe('decodeMarketEvent (what the engine reads)', () => {
  it('accepts a product id of three parts: BTC-PERP-INTX', () => {
    expect(decodeMarketEvent(encodeMarketEvent(trade))).toEqual(trade);
  });

  it('accepts a sequence_reset gap marker', () => {
    const gap: GapEvent = {
      type: 'gap', v: 1, source: 'coinbase-exchange', productId: 'BTC-USD', exchangeTimeUs: 1_795_000_000_000_000,
      receivedAtUs: 1_795_000_000_100_000, reason: 'sequence_reset', missed: null, fromExchangeTimeUs: 1_794_999_999_000_000,
    };
    expect(decodeMarketEvent(encodeMarketEvent(gap))).toEqual(gap);
  });

  it.each(['btc-usd', 'BTCUSD', 'A-B-C-D-E'])('refuses the product id %s', (productId) => {
    expect(() => decodeMarketEvent(encodeMarketEvent({ ...trade, productId }))).toThrow(WireDecodeError);
    expect(() => decodeMarketEvent(encodeMarketEvent({ ...trade, productId }))).toThrow('trade/productId must match pattern "^[A-Z0-9]{1,16}(-[A-Z0-9]{1,16}){1,3}$"');
  });
});
