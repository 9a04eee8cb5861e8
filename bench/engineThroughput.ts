import { EngineCore } from '../engine/core/EngineCore.js';
import type { EngineSettings } from '../engine/core/EngineSettings.js';
import { EngineOutputs } from '../engine/core/outputs.js';
import { PartitionProcessor } from '../engine/core/PartitionProcessor.js';
import { paramsKey } from '../strategies/paramsKey.js';
import { parseStrategyParams } from '../strategies/parseStrategyParams.js';
import { builtinStrategy } from '../strategies/registry.js';
import type { TradeEvent } from '../wire/MarketEvent.js';
import { encodeMarketEvent } from '../wire/marketEventCodec.js';

const MINUTE_US = 60_000_000;

export function settingsFor(strategyIds: readonly string[], windows: readonly number[] = [60, 1440]): EngineSettings {
  return {
    runId: 'bench', intervalsUs: [MINUTE_US], allowedLatenessUs: 2_000_000, idleEvictUs: 3_600_000_000,
    strategies: strategyIds.map((id) => {
      const plugin = builtinStrategy(id);
      const params = parseStrategyParams(plugin, {}) as Record<string, unknown>;
      return { plugin, params, paramsKey: paramsKey(params) };
    }),
    initialEquity: 10_000, feeBps: 10, slippageBps: 2, fillPrice: 'trade', maxClockSkewUs: 10_000_000, products: null, statWindows: windows, daysPerYear: 365, riskFreeRate: 0, sortinoMar: 0,
  };
}

/** `count` trades spread over `products` products and `minutes` minutes of event time, on random walks. */
export function trades(count: number, products: number, minutes: number): TradeEvent[] {
  const prices = Array.from({ length: products }, (_, i) => 100 + i);
  let seed = 1;
  const next = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const t0 = 1_800_000_000_000_000;
  return Array.from({ length: count }, (_, i) => {
    const p = i % products;
    prices[p] = (prices[p] as number) * (1 + (next() - 0.5) * 0.002);
    const timeUs = t0 + Math.floor((i / count) * minutes * MINUTE_US);
    return {
      type: 'trade', v: 1, source: 'coinbase-advanced-trade', productId: `P${p}-USD`, exchangeTimeUs: timeUs, receivedAtUs: timeUs,
      tradeId: String(i), price: (prices[p]).toFixed(2), size: '0.0125', side: 'buy', snapshot: false,
    } satisfies TradeEvent;
  });
}

function best(runs: number, measure: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) fastest = Math.min(fastest, measure());
  return fastest;
}

/**
 * (a) In-process throughput: 1 000 000 ticks of 100 products over `minutes` of event time through the
 * engine's core (1-minute bars, sma_cross, statistics) against a bare loop that only reads each tick's
 * price, on the same ticks; and the same through the record path that decodes and validates each JSON
 * record first. Fewer minutes means more ticks per bar: the per-bar work (strategy, fills, statistics,
 * result rows) dominates the per-tick work (bar update).
 */
export function engineThroughput(minutes: number) {
  const ticks = trades(1_000_000, 100, minutes);
  const settings = settingsFor(['sma_cross']);
  const seconds = (f: () => void) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e9; };
  let sink = 0;
  const bare = best(3, () => seconds(() => { for (const tick of ticks) sink += Number(tick.price); }));
  let bars = 0;
  const core = best(3, () => seconds(() => {
    const processor = new PartitionProcessor(settings, 0);
    const out = new EngineOutputs();
    for (let i = 0; i < ticks.length; i++) {
      processor.process(ticks[i] as TradeEvent, '0', out);
      if (out.metrics.length > 10_000) { bars += out.bars.length; out.drain(); }
    }
    bars += out.bars.length;
  }));
  const records = ticks.map((t, i) => ({ partition: 0, offset: String(i), value: Buffer.from(encodeMarketEvent(t)), timestampMs: 0 }));
  const decoded = best(2, () => seconds(() => {
    const engine = new EngineCore(settings, 'bench');
    engine.assign(0);
    const out = new EngineOutputs();
    for (const record of records) {
      engine.process(record, out);
      if (out.metrics.length > 10_000) out.drain();
    }
  }));
  if (sink === 0) throw new Error('unreachable');
  return {
    ticks: ticks.length, products: 100, eventTimeMinutes: minutes, strategies: ['sma_cross'], statWindows: settings.statWindows,
    barsPerRun: bars / 3, ticksPerBar: Math.round(ticks.length / (bars / 3)),
    bareLoopTicksPerSecond: Math.round(ticks.length / bare),
    engineTicksPerSecond: Math.round(ticks.length / core),
    ratioToBareLoop: Number((bare / core).toFixed(3)),
    engineWithJsonDecodeTicksPerSecond: Math.round(ticks.length / decoded),
    goal: { ticksPerSecond: 1_000_000, met: ticks.length / core >= 1_000_000 },
  };
}
