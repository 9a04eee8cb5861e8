import { describe, expect, it } from 'vitest';
import { checkCsvHeader, CsvHeaderError, parseTradeCsvLine, TRADE_CSV_HEADER } from './parseTradeCsv.js';

describe('parseTradeCsvLine', () => {
  it('reads a tardis.dev trades line: µs times, the taker side, amount as size', () => {
    // Column order of https://docs.tardis.dev/downloadable-csv-files#trades
    expect(parseTradeCsvLine('coinbase,BTC-USD,1767225600123456,1767225600200000,900000001,sell,88355.59,0.00136573')).toEqual({
      type: 'trade', v: 1, source: 'coinbase-exchange', productId: 'BTC-USD', exchangeTimeUs: 1_767_225_600_123_456,
      receivedAtUs: 1_767_225_600_200_000, tradeId: '900000001', price: '88355.59', size: '0.00136573', side: 'sell', snapshot: false,
    });
  });

  it('rejects lines it cannot take, saying why', () => {
    const reasons = [
      'coinbase,BTC-USD,1,2,3,buy,1.5',
      'binance,BTCUSDT,1,2,3,buy,1.5,1',
      'coinbase,BTC-USD,2026-01-01,2,3,buy,1.5,1',
      'coinbase,BTC-USD,1,2,3,unknown,1.5,1',
      'coinbase,BTC-USD,1,2,abc,buy,1.5,1',
      'coinbase,BTC-USD,1,2,3,buy,1e-5,1',
    ].map((line) => { const r = parseTradeCsvLine(line); return 'reason' in r ? r.detail : null; });
    expect(reasons).toEqual([
      '7 fields, expected 8',
      'exchange "binance" is not coinbase',
      'timestamp and local_timestamp must be integer microseconds',
      'side "unknown" is not buy or sell',
      'trade/tradeId must match pattern "^[0-9]{1,20}$"',
      'trade/price must match pattern "^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$"',
    ]);
  });

  it('accepts only the vendor header (a byte-order mark allowed)', () => {
    expect(() => { checkCsvHeader(`\uFEFF${TRADE_CSV_HEADER}`); }).not.toThrow();
    expect(() => { checkCsvHeader('timestamp,price,amount'); }).toThrow(CsvHeaderError);
  });
});
