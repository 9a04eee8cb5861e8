import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineCore } from './EngineCore.js';
import { EngineOutputs } from './outputs.js';
import { heartbeat, marketStream, MINUTE_US, SECOND_US, trade } from './testing/eventStreams.js';
import { instance, testSettings } from './testing/engineSettings.js';
import { record, runEngine } from './testing/runEngine.js';

const T0 = 1_800_000_000 * SECOND_US;

describe('EngineCore', () => {
  it('gives identical results when restarted from its checkpoint at any records', { timeout: 60_000 }, () => {
    const seen = { bars: 0, fills: 0, metrics: 0, late: 0, restarts: 0 };
    fc.assert(fc.property(marketStream, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (events, cuts) => {
      const restarts = new Set(cuts.map((c) => c % (events.length + 1)));
      const unbroken = runEngine(testSettings(), events);
      expect(runEngine(testSettings(), events, restarts)).toEqual(unbroken);
      seen.bars += unbroken.bars.length;
      seen.fills += unbroken.fills.length;
      seen.metrics += unbroken.metrics.length;
      seen.late += unbroken.late.length;
      seen.restarts += restarts.size;
    }), { numRuns: 60 });
    // The streams exercise what the property is about.
    expect(seen.bars, 'bars').toBeGreaterThan(1000);
    expect(seen.fills, 'fills').toBeGreaterThan(100);
    expect(seen.metrics, 'metrics').toBeGreaterThan(1000);
    expect(seen.late, 'late trades').toBeGreaterThan(10);
    expect(seen.restarts, 'restarts').toBeGreaterThan(60);
  });

  it('recording every 15 minutes writes exactly the full run\'s rows at multiples of 15 minutes and each series\' last, restarted anywhere or not', { timeout: 60_000 }, () => {
    const every = 15 * MINUTE_US;
    // No eviction here (an evicted product writes its rows when it leaves: next test).
    const settings = testSettings({ idleEvictUs: 24 * 60 * MINUTE_US });
    const seen = { kept: 0, dropped: 0, last: 0 };
    fc.assert(fc.property(marketStream, fc.array(fc.nat(), { maxLength: 3 }), (events, cuts) => {
      const full = runEngine(settings, events);
      const sampled = runEngine({ ...settings, recordEveryUs: every }, events, new Set(cuts.map((c) => c % (events.length + 1))));
      const barKey = (b: { productId: string; intervalUs: number }) => `${b.productId} ${b.intervalUs}`;
      const metricKey = (m: { productId: string; intervalUs: number; strategyId: string; paramsKey: string }) => `${m.productId} ${m.intervalUs} ${m.strategyId} ${m.paramsKey}`;
      // A series' rows: those at multiples of `every`, and its last whatever its time.
      const expected = <T>(rows: readonly T[], key: (r: T) => string, endUs: (r: T) => number) => {
        const last = new Map(rows.map((r) => [key(r), r]));
        const kept = rows.filter((r) => endUs(r) % every === 0 || last.get(key(r)) === r);
        seen.kept += kept.length;
        seen.dropped += rows.length - kept.length;
        seen.last += rows.filter((r) => endUs(r) % every !== 0 && last.get(key(r)) === r).length;
        return kept;
      };
      const order = <T>(rows: readonly T[], key: (r: T) => string, endUs: (r: T) => number) =>
        [...rows].sort((a, b) => endUs(a) - endUs(b) || key(a).localeCompare(key(b)));
      expect(order(sampled.bars, barKey, (b) => b.endUs)).toEqual(order(expected(full.bars, barKey, (b) => b.endUs), barKey, (b) => b.endUs));
      expect(order(sampled.metrics, metricKey, (m) => m.barEndUs)).toEqual(order(expected(full.metrics, metricKey, (m) => m.barEndUs), metricKey, (m) => m.barEndUs));
      // Signals, fills and late trades are all written.
      expect([sampled.signals, sampled.fills, sampled.late]).toEqual([full.signals, full.fills, full.late]);
      // No shrinking: each step replays up to 400 records twice, so a failure would run for many minutes; the seed is reported.
    }), { numRuns: 40, endOnFailure: true });
    expect(seen.dropped, 'rows held back').toBeGreaterThan(1000);
    expect(seen.kept, 'rows written on the grid or last').toBeGreaterThan(100);
    expect(seen.last, 'series whose last row is off the grid').toBeGreaterThan(20);
  });

  it('recording every 15 minutes with eviction: rows written are the full run\'s, once each, including every row on the grid and each series\' last', { timeout: 60_000 }, () => {
    const every = 15 * MINUTE_US;
    const settings = testSettings({ idleEvictUs: 5 * MINUTE_US });
    const seen = { extra: 0 };
    fc.assert(fc.property(marketStream, fc.array(fc.nat(), { maxLength: 3 }), (events, cuts) => {
      const full = runEngine(settings, events);
      const sampled = runEngine({ ...settings, recordEveryUs: every }, events, new Set(cuts.map((c) => c % (events.length + 1))));
      const check = <T extends { productId: string; intervalUs: number }>(fullRows: readonly T[], rows: readonly T[], endUs: (r: T) => number, key: (r: T) => string) => {
        const all = new Set(fullRows.map((r) => JSON.stringify(r)));
        const written = rows.map((r) => JSON.stringify(r));
        expect(written.filter((r) => !all.has(r)), 'rows the full run does not have').toEqual([]);
        expect(new Set(written).size, 'each row once').toBe(written.length);
        const last = new Map(fullRows.map((r) => [key(r), r]));
        const required = fullRows.filter((r) => endUs(r) % every === 0 || last.get(key(r)) === r).map((r) => JSON.stringify(r));
        const writtenSet = new Set(written);
        expect(required.filter((r) => !writtenSet.has(r)), 'rows on the grid and last rows missing').toEqual([]);
        // Eviction writes a product's last rows as it leaves: those are the only others.
        seen.extra += written.length - required.length;
      };
      check(full.bars, sampled.bars, (b) => b.endUs, (b) => `${b.productId} ${b.intervalUs}`);
      check(full.metrics, sampled.metrics, (m) => m.barEndUs, (m) => `${m.productId} ${m.intervalUs} ${m.strategyId} ${m.paramsKey}`);
      // Each product's signals, fills and late trades, in order. Across products the order of one watermark
      // step follows the order products came back into memory, which a restart changes (docs/conventions.md).
      const byProduct = <T>(rows: readonly T[], product: (r: T) => string) => {
        const m = new Map<string, T[]>();
        for (const r of rows) m.set(product(r), [...(m.get(product(r)) ?? []), r]);
        return new Map([...m].sort(([a], [b]) => a.localeCompare(b)));
      };
      expect(byProduct(sampled.signals, (s) => s.productId)).toEqual(byProduct(full.signals, (s) => s.productId));
      expect(byProduct(sampled.fills, (f) => f.productId)).toEqual(byProduct(full.fills, (f) => f.productId));
      expect(byProduct(sampled.late, (l) => l.event.productId)).toEqual(byProduct(full.late, (l) => l.event.productId));
      // No shrinking: each step replays up to 400 records twice, so a failure would run for many minutes; the seed is reported.
    }), { numRuns: 30, endOnFailure: true });
    expect(seen.extra, 'rows written at an eviction (the streams evict)').toBeGreaterThan(0);
  });

  it('recording every hour: a product evicted from memory writes its held-back rows as it leaves', () => {
    const core = new EngineCore(testSettings({ idleEvictUs: 10 * MINUTE_US, recordEveryUs: 60 * MINUTE_US, statWindows: [], strategies: [instance('sma_cross', { fast: 2, slow: 4 })] }), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    // SOL-USD trades in minute 2, BTC-USD heartbeats move time on: SOL-USD's 1- and 5-minute bars close, then it is evicted.
    core.process(record(trade('SOL-USD', T0 + 2 * MINUTE_US, 20), 0), out);
    for (let i = 0; i < 40; i++) core.process(record(heartbeat('BTC-USD', T0 + i * 30 * SECOND_US), i + 1), out);
    expect(core.partitions.get(0)!.productCount, 'SOL-USD was evicted').toBe(1);
    // T0 is a multiple of an hour (1 800 000 000 s = 500 000 h): nothing of the first 20 minutes is on the grid.
    expect(T0 % (60 * MINUTE_US)).toBe(0);
    const sol = out.bars.filter((b) => b.productId === 'SOL-USD');
    // The heartbeat at 12:30 moves the watermark to 12:28: the 1-minute bar ending at 12 closes, and SOL-USD,
    // silent since 2:00 (more than 10 minutes before it), leaves; its 5-minute bar ending at 15 never closed.
    expect(sol.map((b) => [(b.endUs - T0) / MINUTE_US, b.intervalUs / MINUTE_US]), 'its last bar of each interval, written at eviction').toEqual([[12, 1], [10, 5]]);
    expect(out.metrics.filter((m) => m.productId === 'SOL-USD').map((m) => [(m.barEndUs - T0) / MINUTE_US, m.intervalUs / MINUTE_US])).toEqual([[12, 1], [10, 5]]);
  });

  it('evicts a product that goes idle from memory, keeping its books dormant, and restores them when it returns', () => {
    const core = new EngineCore(testSettings({ idleEvictUs: 10 * MINUTE_US }), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process(record(trade('SOL-USD', T0, 20), 0), out);
    for (let i = 0; i < 60; i++) core.process(record(heartbeat('BTC-USD', T0 + i * 30 * SECOND_US), i + 1), out);
    const partition = core.partitions.get(0)!;
    expect(partition.productCount, 'SOL-USD was evicted; BTC-USD heartbeats keep it').toBe(1);
    const changes = partition.takeChanges();
    expect([...changes.dormant.keys()], 'its state goes to the store, dormant').toEqual(['SOL-USD']);
    const back = record(trade('SOL-USD', T0 + 31 * MINUTE_US, 21, 0.5, 2), 61);
    expect(core.dormantAmong(0, [back]), 'the runner must restore it before its next record').toEqual(['SOL-USD']);
    expect(() => core.process(back, out)).toThrow(/dormant/);
    partition.restore('SOL-USD', changes.dormant.get('SOL-USD')!);
    const before = out.bars.length;
    core.process(back, out);
    core.process(record(heartbeat('SOL-USD', T0 + 33 * MINUTE_US), 62), out);
    const solBars = out.bars.slice(before).filter((b) => b.productId === 'SOL-USD' && b.intervalUs === MINUTE_US);
    expect(solBars[0]!.startUs - T0, 'bars go on where they stopped, each bucket emitted once').toBe(10 * MINUTE_US);
    expect(solBars.at(-1)).toMatchObject({ startUs: T0 + 31 * MINUTE_US, close: 21, volume: 0.5, complete: true });
    core.process(record(heartbeat('ETH-USD', T0 + 5 * 3600 * SECOND_US), 63), out);
    expect(partition.productCount, 'after hours of silence only the product that just spoke is in memory').toBe(1);
  });

  it('keeps an idle product\'s books across eviction: the same results as with no eviction at all', () => {
    const events = [
      ...[100, 99, 98, 104, 108, 107].map((p, i) => trade('BTC-USD', T0 + i * MINUTE_US + 30 * SECOND_US, p, 1, i + 1)),
      ...Array.from({ length: 80 }, (_, i) => heartbeat('ETH-USD', T0 + 6 * MINUTE_US + i * MINUTE_US)),
      ...[90, 95, 97].map((p, i) => trade('BTC-USD', T0 + 86 * MINUTE_US + i * MINUTE_US + 30 * SECOND_US, p, 1, 100 + i)),
      heartbeat('BTC-USD', T0 + 95 * MINUTE_US),
    ];
    const strategies = [instance('sma_cross', { fast: 2, slow: 3 })];
    const evicting = runEngine(testSettings({ strategies, idleEvictUs: 20 * MINUTE_US }), events, new Set([50]));
    const keeping = runEngine(testSettings({ strategies, idleEvictUs: 1000 * MINUTE_US }), events);
    // Restored bars come out interval by interval, not interleaved: compare the rows as the tables key them.
    const byTime = <T extends { intervalUs: number }>(rows: T[], time: (r: T) => number) =>
      rows.sort((a, b) => a.intervalUs - b.intervalUs || time(a) - time(b));
    const btc = (o: EngineOutputs) => ({
      bars: byTime(o.bars.filter((b) => b.productId === 'BTC-USD'), (b) => b.startUs),
      fills: byTime(o.fills, (f) => f.timeUs),
      metrics: byTime(o.metrics.filter((m) => m.productId === 'BTC-USD'), (m) => m.barEndUs),
    });
    expect(evicting.fills.length, 'the instance traded before it went idle').toBeGreaterThan(0);
    expect(btc(evicting)).toEqual(btc(keeping));
  });

  it('sends trades behind the watermark to the late side output, with their position', () => {
    const core = new EngineCore(testSettings(), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process(record(trade('BTC-USD', T0 + 10 * SECOND_US, 100), 0), out);
    core.process(record(heartbeat('BTC-USD', T0 + 65 * SECOND_US), 1), out);
    const late = trade('BTC-USD', T0 + 50 * SECOND_US, 99, 0.5, 2);
    core.process(record(late, 2), out);
    expect(out.late).toEqual([{ runId: 'test', event: late, partition: 0, offset: '2', watermarkUs: T0 + 63 * SECOND_US }]);
    expect(out.bars.filter((b) => b.intervalUs === MINUTE_US)).toMatchObject([{ close: 100, volume: 0.5 }]);
  });

  it('dead-letters a record it cannot decode and carries on', () => {
    const core = new EngineCore(testSettings(), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process({ partition: 0, offset: '7', value: Buffer.from('{"type":"trade"'), timestampMs: 1000 }, out);
    core.process(record(trade('BTC-USD', T0, 100), 8), out);
    expect(out.invalid).toEqual([{
      reason: 'undecodable', detail: 'not JSON', origin: 'prices.normalized', connectionId: 'partition 0 offset 7',
      receivedAtUs: 1_000_000, payload: Buffer.from('{"type":"trade"'),
    }]);
  });

  it('knows the products of which a record was decoded, selected or not, dead-lettered or not; not those it could not decode', () => {
    const core = new EngineCore(testSettings({ products: new Set(['BTC-USD']) }), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process({ partition: 0, offset: '0', value: Buffer.from('{"type":"trade"'), timestampMs: 1000 }, out);
    core.process(record(trade('SOL-USD', T0, 20), 1), out);
    core.process(record({ ...trade('ETH-USD', T0 + 86_400 * SECOND_US, 10), receivedAtUs: T0 }, 2), out);
    expect([...core.productsSeen], 'SOL-USD is not selected; ETH-USD\'s record was dead-lettered (clock_skew)').toEqual(['SOL-USD', 'ETH-USD']);
  });

  it('dead-letters a record whose exchange time is implausibly ahead of its receipt time (clock_skew)', () => {
    const core = new EngineCore(testSettings(), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process(record(trade('BTC-USD', T0, 100), 0), out);
    const skewed = { ...trade('BTC-USD', T0 + 86_400 * SECOND_US, 100, 0.5, 2), receivedAtUs: T0 + SECOND_US };
    expect(core.process(record(skewed, 1), out)).toBeNull();
    const inBound = { ...trade('BTC-USD', T0 + 11 * SECOND_US, 101, 0.5, 3), receivedAtUs: T0 + SECOND_US };
    expect(core.process(record(inBound, 2), out), '10 s ahead is within the 10 s bound').not.toBeNull();
    expect(out.invalid.map((l) => [l.reason, l.detail, l.connectionId])).toEqual([['clock_skew', 'exchange time 86399 s ahead of receipt (bound 10 s)', 'partition 0 offset 1']]);
    expect(core.partitions.get(0)!.watermarkUs, 'the day-ahead record did not move the watermark').toBe(T0 + 9 * SECOND_US);
    expect(out.bars, 'no synthetic bars').toEqual([]);
  });

  it('drops a trade id already seen for the product and counts it; the volume is not doubled', () => {
    const out = runEngine(testSettings({ intervalsUs: [MINUTE_US] }), [
      trade('BTC-USD', T0 + SECOND_US, 100, 1, 7), trade('BTC-USD', T0 + 2 * SECOND_US, 101, 2, 8),
      trade('BTC-USD', T0 + SECOND_US, 100, 1, 7), trade('ETH-USD', T0 + 3 * SECOND_US, 10, 1, 7),
      heartbeat('BTC-USD', T0 + 70 * SECOND_US),
    ]);
    expect(out.duplicates).toBe(1);
    expect(out.bars.map((b) => [b.productId, b.volume, b.tradeCount])).toEqual([['BTC-USD', 3, 2], ['ETH-USD', 1, 1]]);
  });
});
