import { describe, expect, it } from 'vitest';
import type { CandleEvent, MarketEvent, TradeEvent } from '../../wire/MarketEvent.js';
import { resumePoints, StreamGate, streamKey } from './streams.js';

const candle = (productId: string, granularityS: number, t: number): CandleEvent => ({
  type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: t, receivedAtUs: 0, granularityS, open: '1', high: '1', low: '1', close: '1', volume: '0',
});
const trade = (productId: string, id: string, t: number): TradeEvent => ({
  type: 'trade', v: 1, source: 'coinbase-exchange', productId, exchangeTimeUs: t, receivedAtUs: 0, tradeId: id, price: '1', size: '1', side: 'buy', snapshot: false,
});

describe('resumePoints', () => {
  it('gives each stream (product × candles of one granularity, or trades) its last record', () => {
    const records: MarketEvent[] = [
      candle('BTC-USD', 60, 60e6), trade('BTC-USD', '9', 5), candle('BTC-USD', 60, 120e6), candle('BTC-USD', 3600, 0),
      trade('BTC-USD', '10', 6), candle('ETH-USD', 60, 60e6),
      { type: 'heartbeat', v: 1, source: 'coinbase-exchange', productId: 'BTC-USD', exchangeTimeUs: 9e9, receivedAtUs: 0 },
    ];
    expect(Object.fromEntries(resumePoints(records))).toEqual({
      'BTC-USD candle 60': { timeUs: 120e6, tradeId: null },
      'BTC-USD trade': { timeUs: 6, tradeId: '10' },
      'BTC-USD candle 3600': { timeUs: 0, tradeId: null },
      'ETH-USD candle 60': { timeUs: 60e6, tradeId: null },
    });
    expect(streamKey('BTC-USD', { kind: 'candle', granularityS: 60 })).toBe('BTC-USD candle 60');
  });
});

describe('StreamGate', () => {
  it('takes only what comes after the resume point, and refuses repeats and steps back', () => {
    const gate = new StreamGate({ timeUs: 100, tradeId: '99' });
    expect(['98', '99', '100', '100', '101', '100', '1000'].map((id) => gate.admit(trade('BTC-USD', id, Number(id)))))
      .toEqual(['written', 'written', 'new', 'duplicate', 'new', 'out_of_order', 'new']);
    expect(gate.last).toEqual({ timeUs: 1000, tradeId: '1000' });
  });

  it('orders candles by start, and trade ids numerically (9 before 10)', () => {
    const gate = new StreamGate(null);
    expect([60, 120, 120, 60].map((t) => gate.admit(candle('BTC-USD', 60, t)))).toEqual(['new', 'new', 'duplicate', 'out_of_order']);
    const trades = new StreamGate({ timeUs: 0, tradeId: '9' });
    expect(trades.admit(trade('BTC-USD', '10', 0))).toBe('new');
  });
});
