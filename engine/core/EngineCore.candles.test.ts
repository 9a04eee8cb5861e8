import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketEvent, TradeEvent } from '../../wire/MarketEvent.js';
import { EngineCore, UnusableCandleError } from './EngineCore.js';
import type { EngineSettings } from './EngineSettings.js';
import { EngineOutputs } from './outputs.js';
import { candle, candlesOf, heartbeat, MINUTE_US, SECOND_US, trade } from './testing/eventStreams.js';
import { instance, testSettings } from './testing/engineSettings.js';
import { record, runEngine } from './testing/runEngine.js';

const T0 = 1_800_000_000 * SECOND_US;
const at = (minutes: number, seconds = 0) => T0 + minutes * MINUTE_US + seconds * SECOND_US;
/** History settings: event time per product, as `replay --topic history` runs. */
const history = (overrides: Partial<EngineSettings> = {}) => testSettings({ eventTimePerProduct: true, ...overrides });
const flat = (c: number, volume = 1): [number, number, number, number, number] => [c, c, c, c, volume];

/** sma_cross fast 2 slow 3 goes long at the close of minute 3 on closes 10, 10, 9, 12 (bar end at(4)). */
const crossUp = [10, 10, 9, 12].map((c, minute) => candle('BTC-USD', at(minute), flat(c)));
const smaOnly = { intervalsUs: [MINUTE_US], statWindows: [], strategies: [instance('sma_cross', { fast: 2, slow: 3 })], feeBps: 0, slippageBps: 0 };

describe('EngineCore on candles', () => {
  it('moves event time to a candle\'s end: with no lateness the candle closes its own bar', () => {
    const out = runEngine(history({ ...smaOnly, allowedLatenessUs: 0 }), [candle('BTC-USD', at(0), [100, 102, 99, 101, 3])]);
    expect(out.bars.map((b) => [b.startUs, b.endUs, b.open, b.high, b.low, b.close, b.volume, b.tradeCount, b.complete]))
      .toEqual([[at(0), at(1), 100, 102, 99, 101, 3, 1, false]]);
  });

  it('with 2 s lateness a candle\'s bar closes on the next candle (its end minus the lateness is before the bar end)', () => {
    const out = runEngine(history({ ...smaOnly, allowedLatenessUs: 2 * SECOND_US }), [candle('BTC-USD', at(0), flat(100)), candle('BTC-USD', at(3), flat(103))]);
    // The second candle moves time to at(4) − 2 s: minutes 0, 1 (omitted: empty) and 2 (omitted) close, not 3.
    expect(out.bars.map((b) => [b.startUs, b.close, b.volume])).toEqual([[at(0), 100, 1], [at(1), 100, 0], [at(2), 100, 0]]);
  });

  it('fills at the open of the first candle whose start is at or after the decision time (bar end + lateness)', () => {
    const next = [candle('BTC-USD', at(4), [12.5, 14, 12, 13.5, 1]), candle('BTC-USD', at(5), [13, 13, 13, 13, 1])];
    const noLateness = runEngine(history({ ...smaOnly, allowedLatenessUs: 0 }), [...crossUp, ...next]);
    expect(noLateness.signals.map((s) => [s.barEndUs, s.target])).toEqual([[at(4), 'long']]);
    expect(noLateness.fills.map((f) => [f.side, f.price, f.timeUs, f.signalUs])).toEqual([['buy', 12.5, at(4), at(4)]]);
    // Decision known at at(4) + 2 s: the candle starting at at(4) began before it; the next one's open is the price.
    const lateness = runEngine(history({ ...smaOnly, allowedLatenessUs: 2 * SECOND_US }), [...crossUp, ...next, candle('BTC-USD', at(6), flat(13))]);
    expect(lateness.fills.map((f) => [f.side, f.price, f.timeUs, f.signalUs])).toEqual([['buy', 13, at(5), at(4)]]);
    // A minute Coinbase omitted (nothing traded) is no price: the fill waits for the next candle.
    const omitted = runEngine(history({ ...smaOnly, allowedLatenessUs: 0 }), [...crossUp, candle('BTC-USD', at(6), [15, 15, 15, 15, 1])]);
    expect(omitted.fills.map((f) => [f.price, f.timeUs])).toEqual([[15, at(6)]]);
    expect(omitted.bars.map((b) => [b.startUs, b.close, b.volume]).slice(4)).toEqual([[at(4), 12, 0], [at(5), 12, 0], [at(6), 15, 1]]);
  });

  it('ignores (and counts) trades in a bucket candles feed, and candles repeating one already counted', () => {
    // 2 s lateness: after the candle the watermark is at(1) − 2 s, so minute 0 is still open to both.
    const out = runEngine(history({ ...smaOnly, allowedLatenessUs: 2 * SECOND_US }), [
      candle('BTC-USD', at(0), flat(100, 2)), trade('BTC-USD', at(0, 30), 500, 9, 1), candle('BTC-USD', at(0), flat(100, 2)),
      heartbeat('BTC-USD', at(2, 2)),
    ]);
    expect(out.late).toEqual([]);
    expect([out.covered, out.duplicates]).toEqual([1, 1]);
    expect(out.bars.map((b) => [b.close, b.high, b.volume, b.tradeCount])).toEqual([[100, 100, 2, 1], [100, 100, 0, 0]]);
  });

  it('dead-letters a candle coarser than the smallest interval, or not aligned to its granularity; moves nothing', () => {
    const core = new EngineCore(history({ intervalsUs: [MINUTE_US, 5 * MINUTE_US] }), 'prices.history');
    core.assign(0);
    const out = new EngineOutputs();
    expect(core.process(record(candle('BTC-USD', at(0), flat(100), 300), 0), out)).toBeNull();
    expect(core.process(record({ ...candle('BTC-USD', at(0), flat(100)), exchangeTimeUs: at(0, 30) }, 1), out)).toBeNull();
    expect(core.process(record(candle('BTC-USD', at(0), flat(100), 30), 2), out), '30 s candles divide 1 minute').not.toBeNull();
    expect(out.invalid.map((l) => [l.reason, l.detail, l.connectionId])).toEqual([
      ['candle_granularity', 'a 5m candle cannot build 1m bars: every ENGINE_INTERVALS interval must be a multiple of the data\'s granularity (300 s)', 'partition 0 offset 0'],
      ['candle_granularity', `the candle's start ${at(0, 30)} µs is not aligned to its granularity (60 s)`, 'partition 0 offset 1'],
    ]);
  });

  it('throws instead when asked to refuse such candles (a replay fails with the reason)', () => {
    const core = new EngineCore(history(), 'prices.history', { refuseUnusableCandles: true });
    core.assign(0);
    expect(() => core.process(record(candle('ETH-USD', at(0), flat(100), 3600), 7), new EngineOutputs())).toThrow(new UnusableCandleError(
      'ETH-USD candle at 2027-01-15T08:00:00.000Z (partition 0 offset 7): a 1h candle cannot build 1m bars: every ENGINE_INTERVALS interval must be a multiple of the data\'s granularity (3600 s)'));
  });

  it('skips candles coarser than the bars when asked (a replay over several granularities), counting them per product and granularity', () => {
    const core = new EngineCore(history({ ...smaOnly, allowedLatenessUs: 0, products: new Set(['BTC-USD', 'ETH-USD']) }), 'prices.history',
      { refuseUnusableCandles: true, skipCoarseCandles: true });
    core.assign(0);
    const out = new EngineOutputs();
    // BTC-USD: 1-minute candles, then the same hour again as a 1-hour candle (the backfill writes stream after stream).
    for (const c of crossUp) expect(core.process(record(c, 0), out)).not.toBeNull();
    expect(core.process(record(candle('BTC-USD', at(0), flat(11), 3600), 4), out)).toBeNull();
    // ETH-USD: only 1-hour candles. SOL-USD is not selected: its candle is skipped uncounted.
    expect(core.process(record(candle('ETH-USD', at(0), flat(5), 3600), 5), out)).toBeNull();
    expect(core.process(record(candle('ETH-USD', at(60), flat(6), 3600), 6), out)).toBeNull();
    expect(core.process(record(candle('SOL-USD', at(0), flat(7), 3600), 7), out)).toBeNull();
    expect(core.skippedCandles).toEqual([
      { productId: 'BTC-USD', granularityS: 3600, problem: 'a 1h candle cannot build 1m bars', count: 1, otherData: true },
      { productId: 'ETH-USD', granularityS: 3600, problem: 'a 1h candle cannot build 1m bars', count: 2, otherData: false },
    ]);
    // Skipped candles are no dead letters and move nothing: BTC-USD's bars are its four 1-minute candles'.
    expect(out.invalid).toEqual([]);
    expect(out.bars.map((b) => [b.productId, b.startUs, b.close])).toEqual(crossUp.slice(0, 4).map((c) => ['BTC-USD', c.exchangeTimeUs, Number(c.close)]));
    // A misaligned candle is still refused.
    expect(() => core.process(record({ ...candle('BTC-USD', at(9), flat(12)), exchangeTimeUs: at(9, 30) }, 8), out)).toThrow(UnusableCandleError);
  });

  it('keeps event time per product for history: another product written ahead in the partition makes nothing late', () => {
    // The backfill writes products side by side: all of ETH-USD's day, then BTC-USD's.
    const eth = Array.from({ length: 30 }, (_, m) => candle('ETH-USD', at(m), flat(10 + m)));
    const btc = Array.from({ length: 30 }, (_, m) => candle('BTC-USD', at(m), flat(100 + m)));
    const perProduct = runEngine(history({ ...smaOnly, allowedLatenessUs: 0 }), [...eth, ...btc]);
    expect(perProduct.late).toEqual([]);
    expect(perProduct.bars.filter((b) => b.productId === 'BTC-USD').map((b) => b.close)).toEqual(btc.map((c) => Number(c.close)));
    const perPartition = runEngine(testSettings({ ...smaOnly, allowedLatenessUs: 0 }), [...eth, ...btc]);
    expect(perPartition.late.length, 'with one clock per partition BTC-USD is all late').toBe(30);
  });
});

/** Trades of 3 products on random walks, each product in time order (ties allowed), products interleaved at random. */
const tradeStreams = fc.record({
  steps: fc.array(fc.record({
    product: fc.constantFrom('BTC-USD', 'ETH-USD', 'SOL-USD'),
    stepUs: fc.oneof(fc.integer({ min: 0, max: 30 * SECOND_US }), fc.integer({ min: 0, max: 6 * MINUTE_US })),
    move: fc.integer({ min: -60, max: 60 }),
    size: fc.integer({ min: 1, max: 50_000 }),
  }), { minLength: 20, maxLength: 300 }),
});

function tradesOf(steps: { product: string; stepUs: number; move: number; size: number }[]): TradeEvent[] {
  const clocks = new Map<string, number>();
  const prices = new Map<string, number>();
  return steps.map((s, i) => {
    const timeUs = (clocks.get(s.product) ?? T0) + s.stepUs;
    clocks.set(s.product, timeUs);
    const price = Math.max(1, (prices.get(s.product) ?? 1000) + s.move);
    prices.set(s.product, price);
    return trade(s.product, timeUs, price / 10, s.size / 10_000, i + 1);
  });
}

/** Heartbeats far after the data, per product, so that both runs close every bar. */
const closing = (events: readonly MarketEvent[]) => [...new Set(events.map((e) => e.productId))].map((p) => heartbeat(p, Math.max(...events.map((e) => e.exchangeTimeUs)) + 10 * MINUTE_US));

const barKey = (b: { productId: string; intervalUs: number; startUs: number }) => `${b.productId} ${b.intervalUs} ${String(b.startUs).padStart(20)}`;
const instanceKey = (r: { productId: string; intervalUs: number; strategyId: string; paramsKey: string }) => `${r.productId} ${r.intervalUs} ${r.strategyId} ${r.paramsKey}`;
const sortBy = <T>(rows: readonly T[], key: (r: T) => string) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('EngineCore: candles agree with the trades that make them', () => {
  // No lateness: a bar's decision is known at its end, so the first trade at or after it is the open of the
  // first candle starting at or after it — the same price, at the trade's time instead of the candle's start.
  const settings = history({ allowedLatenessUs: 0 });

  it('gives the same bars (OHLC, volume), signals, fill prices and statistics on 1-minute candles as on their trades', { timeout: 60_000 }, () => {
    const seen = { bars: 0, signals: 0, fills: 0, empty: 0 };
    fc.assert(fc.property(tradeStreams, ({ steps }) => {
      const trades = tradesOf(steps);
      const candles = candlesOf(trades);
      const onTrades = runEngine(settings, [...trades, ...closing(trades)]);
      const onCandles = runEngine(settings, [...candles, ...closing(trades)]);
      const ohlc = (o: EngineOutputs) => sortBy(o.bars, barKey).map(({ vwap: _vwap, tradeCount: _count, volume, ...rest }) => ({ ...rest, volume: Number(volume.toFixed(8)) }));
      expect(ohlc(onCandles)).toEqual(ohlc(onTrades));
      const decisions = (o: EngineOutputs) => sortBy(o.signals, (s) => `${instanceKey(s)} ${String(s.barEndUs).padStart(20)}`);
      expect(decisions(onCandles)).toEqual(decisions(onTrades));
      // Fills: the same price and quantity, in the same minute (the trade's time falls in the candle that opens with it).
      const fills = (o: EngineOutputs) => sortBy(o.fills, (f) => `${instanceKey(f)} ${String(f.timeUs).padStart(20)} ${f.seq}`)
        .map(({ timeUs, ...rest }) => ({ ...rest, minuteUs: Math.floor(timeUs / MINUTE_US) * MINUTE_US }));
      expect(fills(onCandles)).toEqual(fills(onTrades));
      const metrics = (o: EngineOutputs) => sortBy(o.metrics, (m) => `${instanceKey(m)} ${String(m.barEndUs).padStart(20)}`);
      expect(metrics(onCandles)).toEqual(metrics(onTrades));
      seen.bars += onTrades.bars.length;
      seen.signals += onTrades.signals.length;
      seen.fills += onTrades.fills.length;
      seen.empty += onTrades.bars.filter((b) => b.volume === 0).length;
    }), { numRuns: 60 });
    expect(seen.bars, 'bars').toBeGreaterThan(3000);
    expect(seen.signals, 'signals').toBeGreaterThan(100);
    expect(seen.fills, 'fills').toBeGreaterThan(100);
    expect(seen.empty, 'omitted minutes').toBeGreaterThan(500);
  });

  it('gives identical results when restarted from its checkpoint at any records of a candle stream', { timeout: 60_000 }, () => {
    let restarts = 0;
    fc.assert(fc.property(tradeStreams, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.boolean(), ({ steps }, cuts, mixed) => {
      const trades = tradesOf(steps);
      // Candles, and in half the runs trades of some minutes beside them (the rule keeps each bucket to one kind).
      const events: MarketEvent[] = [...candlesOf(trades), ...(mixed ? trades.filter((_, i) => i % 3 === 0) : []), ...closing(trades)];
      const at = new Set(cuts.map((c) => c % (events.length + 1)));
      restarts += at.size;
      expect(runEngine(history({ allowedLatenessUs: 2 * SECOND_US }), events, at)).toEqual(runEngine(history({ allowedLatenessUs: 2 * SECOND_US }), events));
    }), { numRuns: 60 });
    expect(restarts).toBeGreaterThan(60);
  });
});
