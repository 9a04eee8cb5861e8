import { EngineOutputs } from '../engine/core/outputs.js';
import { PartitionProcessor } from '../engine/core/PartitionProcessor.js';
import { settingsFor } from './engineThroughput.js';

/**
 * (d) Resident memory of the engine's keyed state with 1 000 products × 3 strategies (1-minute bars, the
 * default 60- and 1440-bar windows, full after 1 500 minutes), in a fresh process so that nothing else is on
 * its heap; run with --expose-gc. Prints one JSON line.
 */
const PRODUCTS = 1000;
const MINUTES = 1500;
const settings = settingsFor(['sma_cross', 'ema_cross', 'rsi_reversion']);
const processor = new PartitionProcessor(settings, 0);
const out = new EngineOutputs();
const t0 = 1_800_000_000_000_000;
const baseline = process.memoryUsage().rss;
for (let minute = 0; minute < MINUTES; minute++) {
  for (let p = 0; p < PRODUCTS; p++) {
    const timeUs = t0 + minute * 60_000_000 + p;
    processor.process({
      type: 'trade', v: 1, source: 'coinbase-advanced-trade', productId: `P${p}-USD`, exchangeTimeUs: timeUs, receivedAtUs: timeUs,
      tradeId: String(minute * PRODUCTS + p), price: (100 + Math.sin(minute / 7 + p) * 5).toFixed(2), size: '1', side: 'buy', snapshot: false,
    }, '0', out);
  }
  out.drain();
}
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const memory = process.memoryUsage();
process.stdout.write(`${JSON.stringify({
  products: PRODUCTS, strategies: settings.strategies.map((s) => s.plugin.id), statWindows: settings.statWindows, barsPerProduct: MINUTES - 1,
  instances: PRODUCTS * settings.strategies.length, productsInState: processor.productCount,
  rssMiB: Math.round(memory.rss / 2 ** 20), heapUsedMiB: Math.round(memory.heapUsed / 2 ** 20), heapTotalMiB: Math.round(memory.heapTotal / 2 ** 20),
  arrayBuffersMiB: Math.round(memory.arrayBuffers / 2 ** 20), rssBeforeMiB: Math.round(baseline / 2 ** 20),
  goal: { rssMiB: 250, met: memory.rss / 2 ** 20 <= 250 },
})}\n`);
