import fc from 'fast-check';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import type { StrategyPlugin } from '../../strategies/Strategy.js';
import { encodeMarketEvent } from '../../wire/marketEventCodec.js';
import type { MarketEvent } from '../../wire/MarketEvent.js';
import { EngineCore, type PartitionSnapshot } from './EngineCore.js';
import type { EngineSettings } from './EngineSettings.js';
import { EngineOutputs } from './outputs.js';
import type { PartitionMeta, ProductState } from './PartitionProcessor.js';
import { decodeState, encodeState } from './stateJson.js';
import { heartbeat, marketStream, MINUTE_US, SECOND_US, trade } from './testing/eventStreams.js';
import { instance, testSettings } from './testing/engineSettings.js';

const T0 = 1_800_000_000 * SECOND_US;

const record = (event: MarketEvent, offset: number) =>
  ({ partition: 0, offset: String(offset), value: Buffer.from(encodeMarketEvent(event)), timestampMs: Math.floor(event.exchangeTimeUs / 1000) });

/** What a checkpoint store holds: the partition's meta and each product's last saved state, as JSON text. */
class FakeCheckpointStore {
  meta: PartitionMeta | undefined;
  readonly products = new Map<string, string>();

  save(core: EngineCore): void {
    const changes = core.partitions.get(0)!.takeChanges();
    this.meta = changes.meta;
    for (const [id, state] of changes.changed) this.products.set(id, encodeState(state));
    for (const id of changes.removed) this.products.delete(id);
  }

  load(): PartitionSnapshot | undefined {
    if (this.meta === undefined) return undefined;
    return { meta: this.meta, products: new Map([...this.products].map(([id, text]) => [id, decodeState(text) as ProductState])) };
  }
}

/** Processes the stream, checkpointing after every record and restarting from the checkpoint at `restarts`. */
function runEngine(settings: EngineSettings, events: readonly MarketEvent[], restarts: ReadonlySet<number> = new Set()): EngineOutputs {
  const out = new EngineOutputs();
  const store = new FakeCheckpointStore();
  let core = new EngineCore(settings, 'prices.normalized');
  core.assign(0);
  events.forEach((event, offset) => {
    if (restarts.has(offset)) {
      core = new EngineCore(settings, 'prices.normalized');
      core.assign(0, store.load());
    }
    core.process(record(event, offset), out);
    store.save(core);
  });
  return out;
}

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

  it('forgets a product that goes idle (no event, not even a heartbeat) and keeps the others', () => {
    const core = new EngineCore(testSettings({ idleEvictUs: 10 * MINUTE_US }), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process(record(trade('SOL-USD', T0, 20), 0), out);
    for (let i = 0; i < 60; i++) core.process(record(heartbeat('BTC-USD', T0 + i * 30 * SECOND_US), i + 1), out);
    const partition = core.partitions.get(0)!;
    expect(partition.productCount, 'SOL-USD was evicted; BTC-USD heartbeats keep it').toBe(1);
    expect(partition.takeChanges().removed).toEqual(['SOL-USD']);
    core.process(record(heartbeat('ETH-USD', T0 + 3 * 3600 * SECOND_US), 62), out);
    expect(partition.productCount, 'after hours of silence only the product that just spoke is kept').toBe(1);
  });

  it('sends trades behind the watermark to the late side output, with their position', () => {
    const core = new EngineCore(testSettings(), 'prices.normalized');
    core.assign(0);
    const out = new EngineOutputs();
    core.process(record(trade('BTC-USD', T0 + 10 * SECOND_US, 100), 0), out);
    core.process(record(heartbeat('BTC-USD', T0 + 65 * SECOND_US), 1), out);
    const late = trade('BTC-USD', T0 + 50 * SECOND_US, 99);
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

  it('fills a decision at the next bar\'s open, with slippage and fees, and marks equity at the close', () => {
    const flipper: StrategyPlugin = {
      id: 'flipper', version: 1, description: 'long on the first bar, flat on the second', paramsSchema: Type.Object({}),
      create: () => {
        let bars = 0;
        return {
          warmupBars: 1,
          onBar: () => (++bars === 1 ? { target: 'long', reason: 'first bar' } : bars === 2 ? { target: 'flat', reason: 'second bar' } : null),
          snapshot: () => bars,
        };
      },
    };
    const settings = testSettings({ intervalsUs: [MINUTE_US], strategies: [instance(flipper)], feeBps: 10, slippageBps: 100, statWindows: [] });
    const out = runEngine(settings, [
      trade('BTC-USD', T0 + 1 * SECOND_US, 100),
      trade('BTC-USD', T0 + 61 * SECOND_US, 110), trade('BTC-USD', T0 + 62 * SECOND_US, 120),
      trade('BTC-USD', T0 + 121 * SECOND_US, 130),
      heartbeat('BTC-USD', T0 + 190 * SECOND_US),
    ]);
    expect(out.signals.map((s) => [s.barEndUs - T0, s.target, s.price])).toEqual([[60 * SECOND_US, 'long', 100], [120 * SECOND_US, 'flat', 120]]);
    const buyPrice = 110 * 1.01;
    const quantity = 10_000 / (buyPrice * 1.001);
    const sellPrice = 130 * 0.99;
    const proceeds = quantity * sellPrice * 0.999;
    expect(out.fills).toEqual([
      expect.objectContaining({ timeUs: T0 + 60 * SECOND_US, seq: 0, side: 'buy', price: buyPrice, quantity, realizedPnl: null }),
      expect.objectContaining({ timeUs: T0 + 120 * SECOND_US, seq: 0, side: 'sell', price: sellPrice, quantity, realizedPnl: proceeds - 10_000 }),
    ]);
    expect(out.metrics.map((m) => m.equity)).toEqual([10_000, quantity * 120, proceeds]);
    expect(out.metrics[2]!.stats[0]).toMatchObject({ windowBars: 0, bars: 3, tradeCount: 1, winRate: 1 });
  });
});
