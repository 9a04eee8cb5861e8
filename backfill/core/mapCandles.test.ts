import { describe, expect, it } from 'vitest';
import { mapCandles } from './mapCandles.js';
import { MalformedBodyError } from './Rejected.js';

const window = { startS: 1_767_225_600, endS: 1_767_225_600 + 5 * 60 };
const candle = (offsetMin: number, fields: Record<string, string> = {}) => ({
  start: String(window.startS + offsetMin * 60), low: '100.5', high: '102', open: '101', close: '101.25', volume: '3.25000000', ...fields,
});

describe('mapCandles', () => {
  it('maps Coinbase\'s newest-first candles to candle events, oldest first, with their interval', () => {
    // Shape of Get Public Product Candles: {"candles":[{start, low, high, open, close, volume}]}, strings, newest first.
    const { events, rejected } = mapCandles({ candles: [candle(3), candle(0)] }, 'BTC-USD', 60, window, 42);
    expect(rejected).toEqual([]);
    expect(events).toEqual([0, 3].map((m) => ({
      type: 'candle', v: 1, source: 'coinbase-advanced-trade', productId: 'BTC-USD', exchangeTimeUs: (window.startS + m * 60) * 1_000_000,
      receivedAtUs: 42, granularityS: 60, open: '101', high: '102', low: '100.5', close: '101.25', volume: '3.25000000',
    })));
  });

  it('leaves the candle at the window\'s end (an inclusive end) to the next window', () => {
    const { events, rejected } = mapCandles({ candles: [candle(5), candle(4)] }, 'BTC-USD', 60, window, 0);
    expect(events.map((e) => e.exchangeTimeUs / 1e6 - window.startS)).toEqual([240]);
    expect(rejected).toEqual([]);
  });

  it('rejects impossible values, bad fields, repeats and strays with their reason, keeping the exact element', () => {
    const page = { candles: [
      candle(0), candle(0),
      candle(1, { high: '99' }), candle(2, { open: '103' }), candle(3, { low: '-1' }), candle(4, { start: 'soon' }), 'x',
      { ...candle(0), start: String(window.startS - 60) },
    ] };
    const { events, rejected } = mapCandles(page, 'BTC-USD', 60, window, 0);
    expect(events).toHaveLength(1);
    expect(rejected.map((r) => [r.reason, r.detail])).toEqual([
      ['duplicate', `candle ${window.startS} repeated in one page`],
      ['out_of_range', 'high 99 < low 100.5'],
      ['out_of_range', 'open 103 outside [low 100.5, high 102]'],
      ['schema', 'candle/low must match pattern "^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$"'],
      ['schema', 'start "soon" is not UNIX seconds'],
      ['schema', 'candle is not an object'],
      ['out_of_range', `start ${window.startS - 60} is not a 60 s candle of [${window.startS}, ${window.endS})`],
    ]);
    expect(rejected[1]!.payload).toBe(JSON.stringify(candle(1, { high: '99' })));
  });

  it('answers an empty range with no events, and a body of another shape with MalformedBodyError (retried)', () => {
    expect(mapCandles({ candles: [] }, 'BTC-USD', 60, window, 0)).toEqual({ events: [], rejected: [] });
    expect(() => mapCandles([], 'BTC-USD', 60, window, 0)).toThrow(MalformedBodyError);
    expect(() => mapCandles({ error: 'x' }, 'BTC-USD', 60, window, 0)).toThrow(MalformedBodyError);
  });
});
