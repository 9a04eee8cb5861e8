import fc from 'fast-check';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import type { StrategyPlugin, TargetPosition } from '../../strategies/Strategy.js';
import type { MarketEvent, QuoteEvent } from '../../wire/MarketEvent.js';
import type { EngineSettings } from './EngineSettings.js';
import { gap, heartbeat, marketStream, MINUTE_US, SECOND_US, trade } from './testing/eventStreams.js';
import { instance, testSettings } from './testing/engineSettings.js';
import { runEngine } from './testing/runEngine.js';

const T0 = 1_800_000_000 * SECOND_US;
const at = (minutes: number, seconds = 0) => T0 + minutes * MINUTE_US + seconds * SECOND_US;

/** A strategy that asks for the targets of a script, one per bar (null: nothing to say). */
function scripted(targets: readonly (TargetPosition | null)[]): StrategyPlugin {
  return {
    id: 'scripted', version: 1, description: 'targets from a script', paramsSchema: Type.Object({}),
    create: () => {
      let bars = 0;
      return {
        warmupBars: 0,
        onBar: () => {
          const target = targets[bars++] ?? null;
          return target === null ? null : { target, reason: `bar ${bars}` };
        },
        snapshot: () => bars,
      };
    },
  };
}

function quote(productId: string, timeUs: number, bid: number, ask: number): QuoteEvent {
  return {
    type: 'quote', v: 1, source: 'coinbase-advanced-trade', productId, exchangeTimeUs: timeUs, receivedAtUs: timeUs,
    price: String((bid + ask) / 2), bidPrice: String(bid), bidSize: '1', askPrice: String(ask), askSize: '1',
  };
}

const oneMinute = (overrides: Partial<EngineSettings>) => testSettings({ intervalsUs: [MINUTE_US], statWindows: [], ...overrides });

/** sma_cross fast 2 slow 3 goes long at the close of minute 3 on closes 10, 10, 9, 12 (one trade at :30 each). */
const crossUp = [10, 10, 9, 12].map((price, minute) => trade('BTC-USD', at(minute, 30), price, 1, minute + 1));

describe('StrategyRunner: fills at prices that existed after the decision', () => {
  it('example A: after an empty bar, fills at the next trade (20), never at the carried-forward close', () => {
    const settings = oneMinute({ strategies: [instance('sma_cross', { fast: 2, slow: 3 })], feeBps: 0, slippageBps: 0 });
    const out = runEngine(settings, [...crossUp, trade('BTC-USD', at(5, 1), 20, 1, 5), heartbeat('BTC-USD', at(6, 5))]);
    expect(out.signals.map((s) => [s.barEndUs, s.target])).toEqual([[at(4), 'long']]);
    expect(out.fills.map((f) => [f.side, f.price, f.timeUs, f.signalUs, f.quantity])).toEqual([['buy', 20, at(5, 1), at(4), 10_000 / 20]]);
    // Minute 4 has no trade: the position is still flat there. Minute 5 opens and closes at 20.
    expect(out.metrics.slice(-2).map((m) => [m.barEndUs, m.barReturn, m.equity])).toEqual([[at(5), 0, 10_000], [at(6), 0, 10_000]]);
  });

  it('example B: fills at the first trade at or after the bar end + the allowed lateness (13.0, not 12.5)', () => {
    const settings = oneMinute({ strategies: [instance('sma_cross', { fast: 2, slow: 3 })], feeBps: 0, slippageBps: 0, allowedLatenessUs: 2 * SECOND_US });
    const out = runEngine(settings, [
      ...crossUp,
      trade('BTC-USD', at(4, 0.1), 12.5, 1, 5), trade('BTC-USD', at(4, 1.9), 12.9, 1, 6), trade('BTC-USD', at(4, 2), 13, 1, 7),
      heartbeat('BTC-USD', at(5, 3)),
    ]);
    expect(out.fills.map((f) => [f.side, f.price, f.timeUs])).toEqual([['buy', 13, at(4, 2)]]);
    // Bar [4m, 5m) closes at 13, the fill's own price: no gain in the bar it was bought in.
    expect(out.metrics.at(-1)).toMatchObject({ barEndUs: at(5), barReturn: 0, equity: 10_000 });
  });

  it('example C: a short gapping through liquidates at the fill: equity 0, bar return −100 %, one losing round trip, no more fills', () => {
    const settings = oneMinute({ strategies: [instance(scripted(['short', 'flat', 'short', 'long']))], feeBps: 10, slippageBps: 2, initialEquity: 10_000 });
    const out = runEngine(settings, [
      trade('BTC-USD', at(0, 30), 100, 1, 1),
      trade('BTC-USD', at(1, 10), 100, 1, 2), trade('BTC-USD', at(1, 50), 150, 1, 3),
      trade('BTC-USD', at(2, 5), 250, 1, 4),
      trade('BTC-USD', at(3, 5), 240, 1, 5), trade('BTC-USD', at(4, 5), 230, 1, 6),
      heartbeat('BTC-USD', at(6, 5)),
    ]);
    // Short at 100 · (1 − 2 bps) = 99.98: 10 000 / 99.98 sold, fee 10, cash 19 990.
    const quantity = 10_000 / 99.98;
    expect(out.fills.map((f) => [f.side, f.price, f.quantity, f.liquidation, f.realizedPnl])).toEqual([
      ['sell', 99.98, quantity, false, null],
      // Bought back at 250 · (1 + 2 bps) = 250.05 it would cost 25 035, equity −5 045: liquidated, loss capped at the equity.
      ['buy', expect.closeTo(250.05, 9), quantity, true, expect.closeTo(-10_000, 6)],
    ]);
    const m = out.metrics;
    // Marked at 150: 19 990 − quantity · 150 = 4 987.9975…
    expect(m[1]!.equity).toBeCloseTo(19_990 - quantity * 150, 9);
    expect([m[2]!.equity, m[2]!.barReturn, m[2]!.position]).toEqual([0, -1, 0]);
    expect(m[2]!.stats[0]).toMatchObject({ maxDrawdown: -1, cumulativeReturn: -1, tradeCount: 1, winRate: 0 });
    expect(m.slice(3).map((x) => [x.equity, x.barReturn]), 'bankrupt: no trading, no returns after').toEqual([[0, 0], [0, 0], [0, 0]]);
  });

  it('with ENGINE_FILL_PRICE=quote, buys at the ask and sells at the bid of the first quote at or after the decision', () => {
    const settings = oneMinute({ strategies: [instance(scripted(['long', 'short']))], feeBps: 0, slippageBps: 0, fillPrice: 'quote' });
    const out = runEngine(settings, [
      trade('BTC-USD', at(0, 30), 100, 1, 1),
      quote('BTC-USD', at(1, 1), 99, 101), quote('BTC-USD', at(1, 2), 100, 102), trade('BTC-USD', at(1, 30), 104, 1, 2),
      quote('BTC-USD', at(2, 3), 103, 105),
      heartbeat('BTC-USD', at(3, 5)),
    ]);
    expect(out.fills.map((f) => [f.side, f.price, f.timeUs])).toEqual([
      ['buy', 102, at(1, 2)],
      ['sell', 103, at(2, 3)], ['sell', 103, at(2, 3)],
    ]);
    expect(out.fills.map((f) => f.seq), 'a reversal is two fills at one time').toEqual([0, 0, 1]);
  });

  it('does not fill at a quote the watermark has passed, nor at a crossed quote', () => {
    const settings = testSettings({ intervalsUs: [MINUTE_US, 5 * MINUTE_US], statWindows: [], strategies: [instance(scripted(['long']))], feeBps: 0, slippageBps: 0, fillPrice: 'quote' });
    const out = runEngine(settings, [
      trade('BTC-USD', at(4, 30), 100, 1, 1),
      heartbeat('ETH-USD', at(5, 2)), heartbeat('ETH-USD', at(7, 0)),
      quote('BTC-USD', at(5, 10), 50, 51),
      quote('BTC-USD', at(7, 1), 102, 101),
      trade('BTC-USD', at(7, 1), 100, 1, 2), quote('BTC-USD', at(7, 1), 99, 101),
      heartbeat('BTC-USD', at(11, 5)),
    ]);
    // Found by review: the 5:10 quote arrived after the watermark (6:58) passed its minute, where a trade would be late.
    expect(out.fills.map((f) => [f.intervalUs, f.price, f.timeUs])).toEqual([[MINUTE_US, 101, at(7, 1)], [5 * MINUTE_US, 101, at(7, 1)]]);
  });

  it('replaces an order still waiting for a price by a newer target, and cancels it on a target back to the position held', () => {
    const settings = oneMinute({ strategies: [instance(scripted(['long', 'short', 'flat']))], feeBps: 0, slippageBps: 0 });
    const out = runEngine(settings, [
      trade('BTC-USD', at(0, 30), 100, 1, 1),
      heartbeat('BTC-USD', at(1, 30)), heartbeat('BTC-USD', at(2, 30)), heartbeat('BTC-USD', at(3, 30)),
      trade('BTC-USD', at(3, 40), 90, 1, 2), heartbeat('BTC-USD', at(5, 5)),
    ]);
    expect(out.signals.map((s) => s.target)).toEqual(['long', 'short', 'flat']);
    expect(out.fills, 'long was replaced by short, which the flat target cancelled before any trade').toEqual([]);
  });

  it('fills only at a real trade of the product, at or after the decision time and in time order (property)', { timeout: 120_000 }, () => {
    let fills = 0;
    fc.assert(fc.property(marketStream, (events) => {
      const settings = testSettings({ feeBps: 0, slippageBps: 0 });
      const out = runEngine(settings, events);
      const trades = events.filter((e) => e.type === 'trade');
      const lateIds = new Set(out.late.map((l) => (l.event.type === 'trade' ? `${l.event.productId} ${l.event.tradeId}` : '')));
      const lastByInstance = new Map<string, number>();
      for (const f of out.fills) {
        fills++;
        if (f.liquidation && f.signalUs === null) continue;
        const source = trades.find((t) => t.productId === f.productId && t.exchangeTimeUs === f.timeUs && Number(t.price) === f.price
          && !lateIds.has(`${t.productId} ${t.tradeId}`));
        expect(source, 'a trade that was accepted, at that time and price').toBeDefined();
        expect(f.timeUs).toBeGreaterThanOrEqual((f.signalUs as number) + settings.allowedLatenessUs);
        const key = `${f.strategyId} ${f.paramsKey} ${f.productId} ${f.intervalUs}`;
        expect(f.timeUs).toBeGreaterThanOrEqual(lastByInstance.get(key) ?? 0);
        lastByInstance.set(key, f.timeUs);
      }
    }), { numRuns: 40 });
    expect(fills, 'the streams make fills').toBeGreaterThan(50);
  });
});

describe('PartitionProcessor: event time across reconnects, gaps and filters', () => {
  it('closes the bars a product missed while evicted before its next record, so eviction changes no fill', () => {
    // Found by review: a 5-minute bar open when BTC was evicted closed only after its returning trades had gone by.
    const events = [
      trade('BTC-USD', 10 * SECOND_US + T0, 100, 1, 1),
      trade('ETH-USD', T0 + 100 * SECOND_US, 10, 1, 1), trade('ETH-USD', T0 + 200 * SECOND_US, 10, 1, 2), trade('ETH-USD', T0 + 302 * SECOND_US, 10, 1, 3),
      trade('SOL-USD', T0 + 400 * SECOND_US, 1, 1, 1),
      trade('BTC-USD', T0 + 400 * SECOND_US, 150, 1, 2), trade('BTC-USD', T0 + 500 * SECOND_US, 200, 1, 3),
      heartbeat('BTC-USD', T0 + 1000 * SECOND_US),
    ];
    const settings = (idleEvictUs: number) => testSettings({
      intervalsUs: [MINUTE_US, 5 * MINUTE_US], statWindows: [], strategies: [instance(scripted(['long']))], feeBps: 0, slippageBps: 0, idleEvictUs,
    });
    const fills = (o: ReturnType<typeof runEngine>) => o.fills.filter((f) => f.productId === 'BTC-USD').map((f) => [f.intervalUs, f.price, f.timeUs]);
    const kept = runEngine(settings(1000 * MINUTE_US), events);
    expect(fills(kept)).toContainEqual([5 * MINUTE_US, 150, T0 + 400 * SECOND_US]);
    const evicted = runEngine(settings(MINUTE_US), events);
    expect(fills(evicted)).toEqual(fills(kept));
    expect(fills(runEngine(settings(MINUTE_US), events, new Set([2, 4, 6])))).toEqual(fills(kept));
  });

  it('lands the trades a snapshot recovers after a reconnect in their real bars (the gap marker and snapshot trades do not move the watermark)', () => {
    const settings = oneMinute({ strategies: [] });
    const recovered = (productId: string, timeUs: number, price: number, id: number) => ({ ...trade(productId, timeUs, price, 1, id), snapshot: true });
    const out = runEngine(settings, [
      trade('BTC-USD', at(0, 10), 100, 1, 1), trade('ETH-USD', at(0, 20), 10, 1, 1),
      // Disconnected from 0:30 to 5:00; the new connection's markers, then each product's snapshot.
      gap('BTC-USD', at(0, 30), at(5)), gap('ETH-USD', at(0, 30), at(5)),
      recovered('BTC-USD', at(0, 10), 100, 1), recovered('BTC-USD', at(2, 10), 102, 2), recovered('BTC-USD', at(4, 50), 104, 3),
      recovered('ETH-USD', at(1, 15), 11, 2), recovered('ETH-USD', at(3, 15), 13, 3),
      trade('BTC-USD', at(5, 1), 105, 1, 4), heartbeat('ETH-USD', at(6, 5)),
    ]);
    expect(out.late).toEqual([]);
    expect(out.duplicates, 'the snapshot re-delivered one trade already counted').toBe(1);
    const closes = (p: string) => out.bars.filter((b) => b.productId === p).map((b) => [(b.startUs - T0) / MINUTE_US, b.close, b.tradeCount, b.complete]);
    expect(closes('BTC-USD')).toEqual([[0, 100, 1, false], [1, 100, 0, false], [2, 102, 1, false], [3, 102, 0, false], [4, 104, 1, false], [5, 105, 1, true]]);
    expect(closes('ETH-USD')).toEqual([[0, 10, 1, false], [1, 11, 1, false], [2, 11, 0, false], [3, 13, 1, false], [4, 13, 0, false], [5, 13, 0, true]]);
  });

  it('gives the same complete flags whichever co-located product\'s gap marker comes first', () => {
    const settings = oneMinute({ strategies: [] });
    const before = [trade('BTC-USD', at(0, 10), 100, 1, 1), trade('ETH-USD', at(0, 20), 10, 1, 1), trade('BTC-USD', at(1, 10), 100, 1, 2), trade('ETH-USD', at(1, 20), 10, 1, 2)];
    const after = [trade('BTC-USD', at(3, 5), 101, 1, 3), trade('ETH-USD', at(3, 6), 11, 1, 3), heartbeat('BTC-USD', at(5, 5))];
    const markers = [gap('BTC-USD', at(1, 30), at(3, 5)), gap('ETH-USD', at(1, 30), at(3, 5))];
    const flags = (events: MarketEvent[]) => runEngine(settings, events).bars.map((b) => `${b.productId} ${(b.startUs - T0) / MINUTE_US} ${b.complete}`).sort();
    const btcFirst = flags([...before, ...markers, ...after]);
    expect(flags([...before, ...markers.slice().reverse(), ...after])).toEqual(btcFirst);
    expect(btcFirst.filter((f) => f.endsWith('false'))).toEqual([
      'BTC-USD 0 false', 'BTC-USD 1 false', 'BTC-USD 2 false', 'BTC-USD 3 false', 'ETH-USD 0 false', 'ETH-USD 1 false', 'ETH-USD 2 false', 'ETH-USD 3 false',
    ]);
  });

  it('computes a filtered product exactly as the unfiltered run does (lateness is decided by every record)', { timeout: 120_000 }, () => {
    fc.assert(fc.property(marketStream, (events) => {
      const all = runEngine(testSettings(), events);
      const only = runEngine(testSettings({ products: new Set(['BTC-USD']) }), events);
      const btc = <T extends { productId: string }>(rows: readonly T[]) => rows.filter((r) => r.productId === 'BTC-USD');
      expect(only.bars).toEqual(btc(all.bars));
      expect(only.fills).toEqual(btc(all.fills));
      expect(only.metrics).toEqual(btc(all.metrics));
      expect(only.late.map((l) => l.offset)).toEqual(all.late.filter((l) => l.event.productId === 'BTC-USD').map((l) => l.offset));
    }), { numRuns: 30 });
  });
});
