import { describe, expect, it } from 'vitest';
import { BackfillUsageError, parseBackfillArgs } from './parseBackfillArgs.js';

const NOW = Date.parse('2026-11-30T12:00:30Z');
const problems = (argv: string[]) => {
  try {
    parseBackfillArgs(argv, NOW);
  } catch (error) {
    if (error instanceof BackfillUsageError) return error.problems;
    throw error;
  }
  return [];
};

describe('parseBackfillArgs', () => {
  it('reads the README\'s command: two products, the last 30 days, 1-minute candles by default', () => {
    expect(parseBackfillArgs(['--products', 'BTC-USD,ETH-USD', '--from', '30d'], NOW)).toEqual({
      kind: 'rest', products: ['BTC-USD', 'ETH-USD'], fromMs: NOW - 30 * 86_400_000, toMs: NOW, granularitiesS: [60], trades: false, json: false,
    });
  });

  it('takes ISO times, granularities by short or Coinbase name, trades, and --check', () => {
    expect(parseBackfillArgs(['--check', '--products', 'BTC-USD', '--from', '2026-01-01T00:00:00Z', '--to', '1767312000000', '--candles', '1h,ONE_MINUTE,1m', '--trades', '--json'], NOW))
      .toEqual({ kind: 'check', products: ['BTC-USD'], fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: 1_767_312_000_000, granularitiesS: [3600, 60], trades: true, json: true });
    expect(parseBackfillArgs(['--products', 'BTC-USD', '--from', '2h', '--trades'], NOW)).toMatchObject({ granularitiesS: [], trades: true, fromMs: NOW - 7_200_000 });
  });

  it('reads a file import; JSON needs the product', () => {
    expect(parseBackfillArgs(['--file', 'x.csv.gz'], NOW)).toEqual({ kind: 'file', path: 'x.csv.gz', format: 'csv', productId: null, json: false });
    expect(parseBackfillArgs(['--file', 'p.json', '--product', 'ETH-USD'], NOW)).toMatchObject({ format: 'json', productId: 'ETH-USD' });
    expect(problems(['--file', 'p.json'])).toEqual(['--file: a JSON file of Coinbase REST trades needs --product (the trades do not name it)']);
  });

  it('names every problem at once', () => {
    expect(problems(['--products', 'btc-usd,BTC-USD,BTC-USD', '--to', '2027-01-01T00:00:00Z', '--candles', '4h'])).toEqual([
      '--products: "btc-usd" is not a Coinbase product id',
      '--products: a product is listed twice',
      '--from: required (e.g. --from 30d)',
      '--to is in the future',
      '--candles: "4h" is not one of 1m, 5m, 15m, 30m, 1h, 2h, 6h, 1d',
    ]);
    expect(problems(['--products', 'BTC-USD', '--from', '1d', '--to', '2d'])).toEqual(['--from must be before --to']);
    expect(problems(['--file', 'a.txt', '--from', '1d'])).toEqual(['--from does not apply to --file', '--file: "a.txt" is neither .csv[.gz] nor .json[.gz]']);
    expect(problems(['--bogus'])).toHaveLength(1);
  });
});
