import type { MarketEvent } from '../../wire/MarketEvent.js';
import { type EngineSettings, recordsBar } from './EngineSettings.js';
import type { Bar } from '../../strategies/Bar.js';
import type { EngineOutputs } from './outputs.js';
import { BAR_INPUT, type BarInput, ProductBars, type ProductBarsState } from './ProductBars.js';
import { RecentIds } from './RecentIds.js';
import { StrategyRunner, type StrategyRunnerState } from './StrategyRunner.js';

/** Trade ids remembered per product to drop repeats (a snapshot after a reconnect re-delivers recent trades). */
export const RECENT_TRADE_IDS = 256;

export interface ProductState {
  readonly lastEventUs: number;
  readonly bars: ProductBarsState;
  /** The runners' states by interval (µs): matched by meaning, never by position. */
  readonly runners: Readonly<Record<string, readonly StrategyRunnerState[]>>;
  /** The product's last trade ids, oldest first. */
  readonly recentTradeIds: readonly string[];
  /** The product's own event time, when event time is kept per product (`EngineSettings.eventTimePerProduct`). */
  readonly time?: PartitionMeta;
  /** The last bar of each interval whose row waits for `recordLatest` (`EngineSettings.recordEveryUs`), by interval (µs). */
  readonly unwrittenBars?: Readonly<Record<string, Bar>>;
}

export interface PartitionMeta {
  readonly maxEventUs: number;
  readonly watermarkUs: number;
  readonly nextBoundaryUs: number;
}

/** What changed since the last checkpoint. */
export interface PartitionChanges {
  readonly meta: PartitionMeta;
  /** Products held in memory whose state changed. */
  readonly changed: Map<string, ProductState>;
  /** Products evicted since: their state is kept in the store, dormant, and restored when they return. */
  readonly dormant: Map<string, ProductState>;
}

class Product {
  /** Changed since the last checkpoint. */
  dirty = true;
  /** Back from eviction: its bars must first catch up with the watermark it missed while dormant. */
  behind = false;
  lastEventUs: number;
  /** Runners with an order waiting for a price. */
  ordersWaiting = 0;
  readonly bars: ProductBars;
  /** Per interval (in the settings' order); created with the product's first bar of that interval. */
  readonly runners: (StrategyRunner[] | null)[];
  readonly recentTradeIds: RecentIds;
  /** The last bar of each interval, when its row waits for `recordLatest`, by interval (µs). */
  readonly unwrittenBars: Map<number, Bar>;
  /** The product's own event time (used when event time is kept per product). */
  maxEventUs: number;
  watermarkUs: number;
  nextBoundaryUs: number;

  constructor(settings: EngineSettings, productId: string, state?: ProductState) {
    this.lastEventUs = state?.lastEventUs ?? Number.MIN_SAFE_INTEGER;
    this.maxEventUs = state?.time?.maxEventUs ?? Number.MIN_SAFE_INTEGER;
    this.watermarkUs = state?.time?.watermarkUs ?? Number.MIN_SAFE_INTEGER;
    this.nextBoundaryUs = state?.time?.nextBoundaryUs ?? Number.MIN_SAFE_INTEGER;
    this.bars = new ProductBars(productId, settings.intervalsUs, state?.bars);
    this.recentTradeIds = new RecentIds(RECENT_TRADE_IDS, state?.recentTradeIds);
    this.unwrittenBars = new Map(Object.entries(state?.unwrittenBars ?? {}).map(([intervalUs, bar]) => [Number(intervalUs), bar]));
    this.runners = settings.intervalsUs.map((intervalUs) => {
      const saved = state?.runners[String(intervalUs)];
      if (saved === undefined || saved.length === 0) return null;
      return settings.strategies.map((instance) => {
        const match = saved.find((s) => StrategyRunner.matches(s, instance));
        return new StrategyRunner(settings, instance, productId, intervalUs, match);
      });
    });
    this.countOrders();
  }

  /** Writes the rows waiting for the run's end (bars and strategy results); returns whether there were any. */
  recordLatest(runId: string, out: EngineOutputs): boolean {
    let wrote = this.unwrittenBars.size > 0;
    for (const bar of this.unwrittenBars.values()) out.bars.push({ ...bar, runId });
    this.unwrittenBars.clear();
    for (const list of this.runners) for (const runner of list ?? []) wrote = runner.recordLatest(out) || wrote;
    if (wrote) this.dirty = true;
    return wrote;
  }

  countOrders(): void {
    let n = 0;
    for (const list of this.runners) for (const r of list ?? []) if (r.hasOrder) n++;
    this.ordersWaiting = n;
  }

  /** Offers a price that existed at `timeUs` to every waiting order of the product. */
  offer(timeUs: number, buyPrice: number | null, sellPrice: number | null): void {
    for (const list of this.runners) {
      for (const runner of list ?? []) {
        if (runner.offer(timeUs, buyPrice, sellPrice)) this.ordersWaiting--;
      }
    }
  }

  snapshot(intervalsUs: readonly number[]): ProductState {
    const runners: Record<string, StrategyRunnerState[]> = {};
    this.runners.forEach((list, i) => {
      if (list !== null) runners[String(intervalsUs[i])] = list.map((r) => r.snapshot());
    });
    const state: ProductState = {
      lastEventUs: this.lastEventUs, bars: this.bars.snapshot(), runners, recentTradeIds: this.recentTradeIds.snapshot(),
      ...(this.unwrittenBars.size === 0 ? {} : { unwrittenBars: Object.fromEntries([...this.unwrittenBars].map(([intervalUs, bar]) => [String(intervalUs), bar])) }),
    };
    if (this.maxEventUs === Number.MIN_SAFE_INTEGER) return state;
    return { ...state, time: { maxEventUs: this.maxEventUs, watermarkUs: this.watermarkUs, nextBoundaryUs: this.nextBoundaryUs } };
  }
}

/**
 * Everything the engine knows about one Kafka partition: its watermark and the keyed state of its products.
 * Deterministic: the same records in the same order give the same outputs, whatever the checkpoints in
 * between. Products are processed in first-seen order, so outputs come out in a reproducible order too.
 *
 * Event time: the watermark is the largest event time seen minus the allowed lateness, over the records that
 * report the present (live trades, quotes, heartbeats). Gap markers and snapshot trades (recent history an
 * exchange re-delivers after a reconnect) do not move it, so the trades they recover land in their own bars.
 * A product idle for `idleEvictUs` of event time leaves memory but not the books: its state becomes dormant in
 * the checkpoint store and is restored (`restore`) before its next record is processed.
 */
export class PartitionProcessor {
  readonly partition: number;
  readonly #settings: EngineSettings;
  readonly #products = new Map<string, Product>();
  /** Products whose state lives in the store, not in memory. */
  readonly #dormant: Set<string>;
  /** Products evicted since the last `takeChanges`: their state is not in the store yet. */
  readonly #evicted = new Map<string, ProductState>();
  #maxEventUs: number;
  #watermarkUs: number;
  #nextBoundaryUs: number;

  constructor(settings: EngineSettings, partition: number, meta?: PartitionMeta, products?: ReadonlyMap<string, ProductState>, dormant: Iterable<string> = []) {
    this.#settings = settings;
    this.partition = partition;
    this.#maxEventUs = meta?.maxEventUs ?? Number.MIN_SAFE_INTEGER;
    this.#watermarkUs = meta?.watermarkUs ?? Number.MIN_SAFE_INTEGER;
    this.#nextBoundaryUs = meta?.nextBoundaryUs ?? Number.MIN_SAFE_INTEGER;
    this.#dormant = new Set(dormant);
    for (const [productId, state] of products ?? []) this.#products.set(productId, new Product(settings, productId, state));
  }

  get watermarkUs(): number {
    return this.#watermarkUs;
  }

  /** Products held in memory (bounded by eviction). */
  get productCount(): number {
    return this.#products.size;
  }

  /** Whether the product's state must be restored from the store before its next record. */
  needsRestore(productId: string): boolean {
    return this.#dormant.has(productId) && !this.#evicted.has(productId) && !this.#products.has(productId);
  }

  /** Brings a dormant product's stored state back into memory. */
  restore(productId: string, state: ProductState): void {
    if (!this.#dormant.delete(productId)) return;
    const product = new Product(this.#settings, productId, state);
    product.behind = true;
    this.#products.set(productId, product);
  }

  process(event: MarketEvent, offset: string, out: EngineOutputs): void {
    const settings = this.#settings;
    const productId = event.productId;
    const computed = settings.products === null || settings.products.has(productId);
    const product = computed ? this.#product(productId) : undefined;
    let accepted = false;
    // The watermark before this record moves it: what a trade or quote is late against.
    let lateBeforeUs = this.#watermarkUs;
    if (product !== undefined) {
      if (product.behind) {
        // While dormant it missed the bars the watermark passed (a long interval's open bucket): close them
        // now, before its record, as they would have closed had it stayed in memory.
        product.behind = false;
        if (settings.eventTimePerProduct !== true) this.#closeProductBars(product, this.#watermarkUs, out);
      }
      product.dirty = true;
      if (event.exchangeTimeUs > product.lastEventUs) product.lastEventUs = event.exchangeTimeUs;
      const watermarkUs = settings.eventTimePerProduct === true ? product.watermarkUs : this.#watermarkUs;
      lateBeforeUs = watermarkUs;
      if (event.type === 'trade') {
        if (!product.recentTradeIds.add(event.tradeId)) {
          out.duplicates += 1;
        } else {
          accepted = this.#counted(product.bars.addTrade(event.exchangeTimeUs, Number(event.price), Number(event.size), watermarkUs), event, offset, watermarkUs, out);
        }
      } else if (event.type === 'candle') {
        const volume = Number(event.volume);
        // A candle without volume holds no trade: an empty stretch, like the minutes Coinbase omits.
        if (volume > 0) {
          accepted = this.#counted(product.bars.addCandle(event.exchangeTimeUs, event.granularityS * 1_000_000, Number(event.open), Number(event.high),
            Number(event.low), Number(event.close), volume, watermarkUs), event, offset, watermarkUs, out);
        }
      } else if (event.type === 'gap') {
        product.bars.markGap(event.fromExchangeTimeUs, event.exchangeTimeUs);
        out.gaps += 1;
      }
    }
    const reportsPresent = event.type === 'trade' ? !event.snapshot : event.type !== 'gap';
    if (reportsPresent) this.#advance(product, event.exchangeTimeUs, out);
    // After the bars it closes: the record that makes a decision known may be the first price after it.
    if (product !== undefined && product.ordersWaiting > 0) {
      if (settings.fillPrice === 'trade' && accepted && event.type === 'trade') {
        const price = Number(event.price);
        product.offer(event.exchangeTimeUs, price, price);
      } else if (settings.fillPrice === 'trade' && accepted && event.type === 'candle') {
        // A candle's open is its first trade, at or after its start: the start is that trade's time.
        const open = Number(event.open);
        product.offer(event.exchangeTimeUs, open, open);
      } else if (settings.fillPrice === 'quote' && event.type === 'quote' && !this.#late(event.exchangeTimeUs, lateBeforeUs)) {
        const ask = positiveOrNull(event.askPrice);
        const bid = positiveOrNull(event.bidPrice);
        // A crossed book (bid above ask) is not a price anybody could deal at.
        if (ask === null || bid === null || bid <= ask) product.offer(event.exchangeTimeUs, ask, bid);
      }
    }
    // A candle describes [start, start + granularity): once its open has been offered, time moves to its end.
    if (event.type === 'candle') this.#advance(product, event.exchangeTimeUs + event.granularityS * 1_000_000, out);
  }

  /** Whether the watermark has passed the smallest-interval bar of this time (a trade there would be late). */
  #late(timeUs: number, watermarkUs: number): boolean {
    const smallest = this.#settings.intervalsUs[0] as number;
    return Math.floor(timeUs / smallest) * smallest + smallest <= watermarkUs;
  }

  /** Whether a trade or candle counts in the bars; the others go to the late output or are counted. */
  #counted(input: BarInput, event: MarketEvent, offset: string, watermarkUs: number, out: EngineOutputs): boolean {
    if (input === BAR_INPUT.added) return true;
    if (input === BAR_INPUT.late) out.late.push({ runId: this.#settings.runId, event, partition: this.partition, offset, watermarkUs });
    else if (input === BAR_INPUT.covered) out.covered += 1;
    else out.duplicates += 1;
    return false;
  }

  /** Event time reached `timeUs` (the partition's, or the product's own): closes the bars the watermark passes. */
  #advance(product: Product | undefined, timeUs: number, out: EngineOutputs): void {
    const settings = this.#settings;
    if (timeUs > this.#maxEventUs) {
      this.#maxEventUs = timeUs;
      if (settings.eventTimePerProduct !== true) {
        const watermarkUs = timeUs - settings.allowedLatenessUs;
        if (watermarkUs > this.#watermarkUs) {
          this.#watermarkUs = watermarkUs;
          if (watermarkUs >= this.#nextBoundaryUs) this.#closeBars(out);
        }
      } else {
        this.#watermarkUs = timeUs - settings.allowedLatenessUs;
      }
    }
    if (settings.eventTimePerProduct !== true || product === undefined || timeUs <= product.maxEventUs) return;
    product.maxEventUs = timeUs;
    const watermarkUs = timeUs - settings.allowedLatenessUs;
    if (watermarkUs <= product.watermarkUs) return;
    product.watermarkUs = watermarkUs;
    if (watermarkUs < product.nextBoundaryUs) return;
    this.#closeProductBars(product, watermarkUs, out);
    product.nextBoundaryUs = nextBoundary(settings.intervalsUs, watermarkUs);
  }

  /**
   * Writes every product's rows held back by `EngineSettings.recordEveryUs` (its last bar of each interval and
   * each instance's results at it): called when a run stops, so that its last rows are there. Products
   * evicted meanwhile wrote theirs when they left memory.
   */
  recordLatest(out: EngineOutputs): void {
    for (const product of this.#products.values()) product.recordLatest(this.#settings.runId, out);
  }

  /** The state changed since the last call (the store saves it), including the products evicted since then. */
  takeChanges(): PartitionChanges {
    const changed = new Map<string, ProductState>();
    for (const [productId, product] of this.#products) {
      if (!product.dirty) continue;
      changed.set(productId, product.snapshot(this.#settings.intervalsUs));
      product.dirty = false;
    }
    const dormant = new Map(this.#evicted);
    this.#evicted.clear();
    return { meta: this.meta(), changed, dormant };
  }

  meta(): PartitionMeta {
    return { maxEventUs: this.#maxEventUs, watermarkUs: this.#watermarkUs, nextBoundaryUs: this.#nextBoundaryUs };
  }

  #product(productId: string): Product {
    let product = this.#products.get(productId);
    if (product !== undefined) return product;
    const evicted = this.#evicted.get(productId);
    if (evicted !== undefined) {
      this.#evicted.delete(productId);
      this.#dormant.delete(productId);
    } else if (this.#dormant.has(productId)) {
      throw new Error(`product ${productId} of partition ${this.partition} is dormant: restore its state before processing its records`);
    }
    product = new Product(this.#settings, productId, evicted);
    product.behind = evicted !== undefined;
    this.#products.set(productId, product);
    return product;
  }

  #closeBars(out: EngineOutputs): void {
    const settings = this.#settings;
    for (const [productId, product] of this.#products) {
      this.#closeProductBars(product, this.#watermarkUs, out);
      // Idle in event time: nothing at all (not even a heartbeat) for idleEvictUs. Its books stay in the store.
      if (product.lastEventUs < this.#watermarkUs - settings.idleEvictUs) {
        // Its rows waiting for the run's end are written now: nothing changes them while it is idle.
        product.recordLatest(settings.runId, out);
        this.#products.delete(productId);
        this.#evicted.set(productId, product.snapshot(settings.intervalsUs));
        this.#dormant.add(productId);
      }
    }
    this.#nextBoundaryUs = nextBoundary(settings.intervalsUs, this.#watermarkUs);
  }

  #closeProductBars(product: Product, watermarkUs: number, out: EngineOutputs): void {
    const settings = this.#settings;
    const bars = product.bars.closeUpTo(watermarkUs);
    if (bars.length === 0) return;
    product.dirty = true;
    for (const bar of bars) {
      if (recordsBar(settings, bar.endUs)) {
        out.bars.push({ ...bar, runId: settings.runId });
        product.unwrittenBars.delete(bar.intervalUs);
      } else {
        product.unwrittenBars.set(bar.intervalUs, bar);
      }
      const i = settings.intervalsUs.indexOf(bar.intervalUs);
      const runners = (product.runners[i] ??= settings.strategies.map((s) => new StrategyRunner(settings, s, product.bars.productId, bar.intervalUs)));
      for (const runner of runners) runner.onBar(bar, out);
    }
    product.countOrders();
  }
}

/** The first bar boundary of any interval after the watermark. */
function nextBoundary(intervalsUs: readonly number[], watermarkUs: number): number {
  return Math.min(...intervalsUs.map((i) => (Math.floor(watermarkUs / i) + 1) * i));
}

function positiveOrNull(decimal: string | null): number | null {
  if (decimal === null) return null;
  const price = Number(decimal);
  return price > 0 ? price : null;
}
