import { describe, expect, it } from 'vitest';
import type { CandleEvent, TradeEvent } from '../../wire/MarketEvent.js';
import { QualityReport } from './QualityReport.js';

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z, µs
const MIN = 60_000_000;
const candle = (minute: number): CandleEvent => ({
  type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId: 'BTC-USD', exchangeTimeUs: T0 + minute * MIN, receivedAtUs: 0,
  granularityS: 60, open: '1', high: '1', low: '1', close: '1', volume: '1',
});
const trade = (us: number, id: number): TradeEvent => ({
  type: 'trade', v: 1, source: 'coinbase-exchange', productId: 'ETH-USD', exchangeTimeUs: us, receivedAtUs: 0, tradeId: String(id),
  price: '1', size: '1', side: 'buy', snapshot: false,
});

describe('QualityReport', () => {
  it('tells minutes Coinbase answered without a candle from minutes never fetched', () => {
    // 10 minutes requested; 0..5 fetched (a request failed after that); candles at 0, 1, 3, 4; one rejected.
    const report = new QualityReport('BTC-USD', { kind: 'candle', granularityS: 60 }, T0, T0 + 10 * MIN);
    for (const m of [0, 1, 3, 4]) report.taken(candle(m));
    report.rejected('out_of_range');
    report.loaded(T0, T0 + 6 * MIN);
    expect(report.summary()).toEqual({
      productId: 'BTC-USD', kind: 'candle', intervalS: 60, fromUs: T0, toUs: T0 + 10 * MIN, events: 4, firstTimeUs: T0, lastTimeUs: T0 + 4 * MIN,
      intervals: 10, intervalsWithData: 4, coverage: 0.4,
      missingNoTrades: 2, // minutes 2 and 5: answered, no candle
      missingNotFetched: 4, // minutes 6..9
      alreadyWritten: 0, rejected: { out_of_range: 1 },
    });
  });

  it('counts trade coverage in minutes, and events an earlier run wrote as data', () => {
    const report = new QualityReport('ETH-USD', { kind: 'trade' }, T0, T0 + 3 * MIN);
    report.alreadyWritten(trade(T0 + 10, 1));
    report.taken(trade(T0 + 2 * MIN + 5, 2));
    report.taken(trade(T0 + 2 * MIN + 6, 3));
    report.rejected('duplicate');
    report.rejected('duplicate');
    report.loaded(T0, T0 + 3 * MIN);
    const s = report.summary();
    expect([s.events, s.alreadyWritten, s.intervals, s.intervalsWithData, s.missingNoTrades, s.missingNotFetched, s.rejected])
      .toEqual([2, 1, 3, 2, 1, 0, { duplicate: 2 }]);
  });

  it('aligns the range to whole intervals, and an empty range has full coverage', () => {
    const report = new QualityReport('BTC-USD', { kind: 'candle', granularityS: 3600 }, T0 + 1, T0 + 2 * 3600 * 1e6 + 5);
    expect([report.summary().fromUs, report.summary().intervals]).toEqual([T0 + 3600e6, 1]);
    expect(new QualityReport('BTC-USD', { kind: 'trade' }, T0, T0).summary().coverage).toBe(1);
  });
});
