import type { MarketEvent } from '../../wire/MarketEvent.js';
import type { EngineSettings } from './EngineSettings.js';
import type { EngineOutputs } from './outputs.js';
import { ProductBars, type ProductBarsState } from './ProductBars.js';
import { StrategyRunner, type StrategyRunnerState } from './StrategyRunner.js';

export interface ProductState {
  readonly lastEventUs: number;
  readonly bars: ProductBarsState;
  /** Per interval, the runners' states. */
  readonly runners: StrategyRunnerState[][];
}

export interface PartitionMeta {
  readonly maxEventUs: number;
  readonly watermarkUs: number;
  readonly nextBoundaryUs: number;
}

class Product {
  /** Changed since the last checkpoint. */
  dirty = true;
  lastEventUs: number;
  readonly bars: ProductBars;
  /** Per interval; created with the product's first bar of that interval. */
  readonly runners: (StrategyRunner[] | null)[];

  constructor(settings: EngineSettings, productId: string, state?: ProductState) {
    this.lastEventUs = state?.lastEventUs ?? Number.MIN_SAFE_INTEGER;
    this.bars = new ProductBars(productId, settings.intervalsUs, state?.bars);
    this.runners = settings.intervalsUs.map((intervalUs, i) => {
      const saved = state?.runners[i];
      if (saved === undefined || saved.length === 0) return null;
      return settings.strategies.map((instance) => {
        const match = saved.find((s) => StrategyRunner.matches(s, instance));
        return new StrategyRunner(settings, instance, productId, intervalUs, match);
      });
    });
  }

  snapshot(): ProductState {
    return {
      lastEventUs: this.lastEventUs,
      bars: this.bars.snapshot(),
      runners: this.runners.map((list) => list?.map((r) => r.snapshot()) ?? []),
    };
  }
}

/**
 * Everything the engine knows about one Kafka partition: its watermark and the keyed state of its products.
 * Deterministic: the same records in the same order give the same outputs, whatever the checkpoints in
 * between. Products are processed in first-seen order, so outputs come out in a reproducible order too.
 */
export class PartitionProcessor {
  readonly partition: number;
  readonly #settings: EngineSettings;
  readonly #products = new Map<string, Product>();
  readonly #evicted = new Set<string>();
  #maxEventUs: number;
  #watermarkUs: number;
  #nextBoundaryUs: number;

  constructor(settings: EngineSettings, partition: number, meta?: PartitionMeta, products?: ReadonlyMap<string, ProductState>) {
    this.#settings = settings;
    this.partition = partition;
    this.#maxEventUs = meta?.maxEventUs ?? Number.MIN_SAFE_INTEGER;
    this.#watermarkUs = meta?.watermarkUs ?? Number.MIN_SAFE_INTEGER;
    this.#nextBoundaryUs = meta?.nextBoundaryUs ?? Number.MIN_SAFE_INTEGER;
    for (const [productId, state] of products ?? []) this.#products.set(productId, new Product(settings, productId, state));
  }

  get watermarkUs(): number {
    return this.#watermarkUs;
  }

  /** Products held in state (bounded by eviction). */
  get productCount(): number {
    return this.#products.size;
  }

  process(event: MarketEvent, offset: string, out: EngineOutputs): void {
    let product = this.#products.get(event.productId);
    if (product === undefined) {
      product = new Product(this.#settings, event.productId);
      this.#products.set(event.productId, product);
      if (this.#evicted.size > 0) this.#evicted.delete(event.productId);
    }
    product.dirty = true;
    if (event.exchangeTimeUs > product.lastEventUs) product.lastEventUs = event.exchangeTimeUs;
    if (event.type === 'trade') {
      if (!product.bars.addTrade(event.exchangeTimeUs, Number(event.price), Number(event.size))) {
        out.late.push({ runId: this.#settings.runId, event, partition: this.partition, offset, watermarkUs: this.#watermarkUs });
      }
    } else if (event.type === 'gap') {
      product.bars.markGap(event.fromExchangeTimeUs, event.exchangeTimeUs);
      out.gaps += 1;
    }
    if (event.exchangeTimeUs > this.#maxEventUs) this.#maxEventUs = event.exchangeTimeUs;
    const watermarkUs = this.#maxEventUs - this.#settings.allowedLatenessUs;
    if (watermarkUs > this.#watermarkUs) {
      this.#watermarkUs = watermarkUs;
      if (watermarkUs >= this.#nextBoundaryUs) this.#closeBars(out);
    }
  }

  /** State of the products changed since the last call, and the products evicted since then. */
  takeChanges(): { meta: PartitionMeta; changed: Map<string, ProductState>; removed: string[] } {
    const changed = new Map<string, ProductState>();
    for (const [productId, product] of this.#products) {
      if (!product.dirty) continue;
      changed.set(productId, product.snapshot());
      product.dirty = false;
    }
    const removed = [...this.#evicted];
    this.#evicted.clear();
    return { meta: this.meta(), changed, removed };
  }

  meta(): PartitionMeta {
    return { maxEventUs: this.#maxEventUs, watermarkUs: this.#watermarkUs, nextBoundaryUs: this.#nextBoundaryUs };
  }

  #closeBars(out: EngineOutputs): void {
    const settings = this.#settings;
    for (const [productId, product] of this.#products) {
      const bars = product.bars.closeUpTo(this.#watermarkUs);
      if (bars.length > 0) product.dirty = true;
      for (const bar of bars) {
        out.bars.push({ ...bar, runId: settings.runId });
        const i = settings.intervalsUs.indexOf(bar.intervalUs);
        const runners = (product.runners[i] ??= settings.strategies.map((s) => new StrategyRunner(settings, s, productId, bar.intervalUs)));
        for (const runner of runners) runner.onBar(bar, out);
      }
      // Idle in event time: nothing at all (not even a heartbeat) for idleEvictUs.
      if (product.lastEventUs < this.#watermarkUs - settings.idleEvictUs) {
        this.#products.delete(productId);
        this.#evicted.add(productId);
      }
    }
    this.#nextBoundaryUs = Math.min(...settings.intervalsUs.map((i) => (Math.floor(this.#watermarkUs / i) + 1) * i));
  }
}
