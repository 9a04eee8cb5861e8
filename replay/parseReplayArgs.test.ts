import { describe, expect, it } from 'vitest';
import { parseReplayArgs, ReplayUsageError } from './parseReplayArgs.js';

function problems(argv: string[]): readonly string[] {
  try {
    parseReplayArgs(argv);
  } catch (error) {
    if (error instanceof ReplayUsageError) return error.problems;
    throw error;
  }
  throw new Error('expected a ReplayUsageError');
}

describe('parseReplayArgs', () => {
  it('reads a time range, products, strategy, parameters, speed and label', () => {
    expect(parseReplayArgs(['--from', '2026-11-20T00:00:00Z', '--to', '1795219200000', '--products', 'BTC-USD, ETH-USD',
      '--strategy', 'sma_cross', '--params', '{"fast":5,"slow":20}', '--speed', '10x', '--label', 'test'])).toEqual({
      kind: 'run', topic: 'normalized', from: { kind: 'time', ms: Date.UTC(2026, 10, 20) }, to: { kind: 'time', ms: 1_795_219_200_000 },
      products: ['BTC-USD', 'ETH-USD'], strategy: ['sma_cross'], params: '{"fast":5,"slow":20}', grid: null,
      speed: { kind: 'paced', factor: 10 }, recordEveryUs: null, workers: 'auto', label: 'test', rankBy: 'sharpe', json: false,
    });
  });

  it('reads offset lists, a grid and defaults', () => {
    const command = parseReplayArgs(['--from', '0:10,2:0', '--grid', 'fast=5..10:5,slow=20|30', '--rank-by', 'sortino', '--json']);
    expect(command).toEqual({
      kind: 'run', topic: 'normalized', from: { kind: 'offsets', offsets: new Map([[0, 10n], [2, 0n]]) }, to: null, products: null, strategy: null, params: null,
      grid: [{ fast: 5, slow: 20 }, { fast: 5, slow: 30 }, { fast: 10, slow: 20 }, { fast: 10, slow: 30 }],
      speed: { kind: 'max' }, recordEveryUs: null, workers: 'auto', label: null, rankBy: 'sortino', json: true,
    });
  });

  it('reads the topic: normalized by default, history with or without its prefix', () => {
    expect(parseReplayArgs([])).toMatchObject({ kind: 'run', topic: 'normalized' });
    expect(parseReplayArgs(['--topic', 'history'])).toMatchObject({ kind: 'run', topic: 'history' });
    expect(parseReplayArgs(['--topic', 'prices.history'])).toMatchObject({ kind: 'run', topic: 'history' });
    expect(parseReplayArgs(['--topic', 'prices.normalized'])).toMatchObject({ kind: 'run', topic: 'normalized' });
    expect(problems(['--topic', 'prices.late'])).toEqual(['--topic: "prices.late" is not one of normalized, history']);
  });

  it('refuses a product id the exchange could not have (the ids COINBASE_PRODUCT_IDS accepts), naming each', () => {
    expect(parseReplayArgs(['--products', 'BTC-PERP-INTX,1INCH-USD'])).toMatchObject({ kind: 'run', products: ['BTC-PERP-INTX', '1INCH-USD'] });
    expect(problems(['--products', 'btc-usd,ETH-USD,BTCUSD'])).toEqual([
      '--products: "btc-usd" is not a Coinbase product id: upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX',
      '--products: "BTCUSD" is not a Coinbase product id: upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX',
    ]);
  });

  it('reads --record-every as a duration', () => {
    expect(parseReplayArgs(['--record-every', '1h'])).toMatchObject({ kind: 'run', recordEveryUs: 3_600_000_000 });
    expect(parseReplayArgs(['--record-every', '1d'])).toMatchObject({ kind: 'run', recordEveryUs: 86_400_000_000 });
    expect(problems(['--record-every', 'hourly'])).toEqual(['--record-every: "hourly" is not a duration such as 15m, 1h or 1d']);
    expect(problems(['--record-every', '0m'])).toEqual(['--record-every: "0m" is not a duration such as 15m, 1h or 1d']);
  });

  it('reads --workers: auto by default, or a count; more than one refused when paced', () => {
    expect(parseReplayArgs([])).toMatchObject({ kind: 'run', workers: 'auto' });
    expect(parseReplayArgs(['--workers', '3'])).toMatchObject({ kind: 'run', workers: 3 });
    expect(parseReplayArgs(['--workers', '1', '--speed', '10x'])).toMatchObject({ kind: 'run', workers: 1 });
    expect(problems(['--workers', '0'])).toEqual(['--workers: "0" is not auto or a whole number from 1 to 999']);
    expect(problems(['--workers', 'many'])).toEqual(['--workers: "many" is not auto or a whole number from 1 to 999']);
    expect(problems(['--workers', '2', '--speed', '1x'])).toEqual(['--workers: a paced replay runs on one worker (each would keep its own pace)']);
  });

  it('reads --list, --show and --help', () => {
    expect(parseReplayArgs(['--list'])).toEqual({ kind: 'list', json: false });
    expect(parseReplayArgs(['--show', 'replay-1', '--json'])).toEqual({ kind: 'show', runId: 'replay-1', json: true });
    expect(parseReplayArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('names every problem at once', () => {
    expect(problems(['--from', 'yesterday', '--to', '0:1,0:2', '--speed', 'fast', '--rank-by', 'luck', '--params', '{', '--grid', 'fast=9..1', '--strategy', 'a,b'])).toEqual([
      '--from: "yesterday" is neither a time (ISO 8601 or Unix ms) nor offsets (partition:offset,…)',
      '--to: partition 0 is listed twice',
      // V8's wording of the JSON error varies between Node versions.
      expect.stringMatching(/^--params: not JSON \(.+\)$/),
      '--grid: fast: "9..1" runs backwards',
      '--grid sweeps the parameters of one strategy: give exactly one --strategy',
      '--rank-by: "luck" is not one of sharpe, sortino, return, drawdown, trades, win_rate',
      '--speed: "fast" is not max or Nx (1x, 10x, 0.5x)',
    ]);
    expect(problems(['--from', '2026-11-21T00:00:00Z', '--to', '2026-11-20T00:00:00Z'])).toEqual(['--from must be before --to']);
    expect(problems(['--frm', 'x'])).toEqual(['Unknown option \'--frm\'']);
  });
});
