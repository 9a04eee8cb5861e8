import type { TapeTrade } from './CoinbaseProtocolServer.js';

/**
 * One simulated product: its opening price, how it trades when active, and its formatting (Coinbase's
 * increments: prices to the cent, sizes to the satoshi for BTC and ETH, to 0.001 for SOL).
 */
export interface SimulatedProduct {
  readonly productId: string;
  readonly startPrice: number;
  /** Mean trade arrivals per second outside quiet spells (a Poisson process). */
  readonly tradesPerSecond: number;
  /** Annualised volatility of the mid price (a geometric random walk in continuous time). */
  readonly annualVolatility: number;
  /** Median trade size, in base currency; sizes are log-normal around it. */
  readonly medianSize: number;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
}

/**
 * The demo's market: roughly Coinbase's BTC-USD, ETH-USD and SOL-USD on an ordinary day, in trades per
 * second, size and volatility (orders of magnitude, not a calibration).
 */
export const DEMO_PRODUCTS: readonly SimulatedProduct[] = [
  { productId: 'BTC-USD', startPrice: 65_000, tradesPerSecond: 8, annualVolatility: 0.6, medianSize: 0.004, priceDecimals: 2, sizeDecimals: 8 },
  { productId: 'ETH-USD', startPrice: 3_200, tradesPerSecond: 5, annualVolatility: 0.75, medianSize: 0.06, priceDecimals: 2, sizeDecimals: 8 },
  { productId: 'SOL-USD', startPrice: 150, tradesPerSecond: 3, annualVolatility: 1, medianSize: 2.5, priceDecimals: 2, sizeDecimals: 3 },
];

export interface CoinbaseSimulatorOptions {
  /** Everything random derives from it: the same seed and start give the same market, trade for trade. */
  readonly seed: number;
  /** Event time of the market's opening, µs since the epoch. */
  readonly startUs: number;
  readonly products?: readonly SimulatedProduct[];
  /** Mean active time between a product's quiet spells (exponential). Default 4 minutes. */
  readonly quietEveryMs?: number;
  /** Shortest and longest quiet spell (uniform). Default 20–90 s. */
  readonly quietMs?: readonly [number, number];
  /** Trade rate during a quiet spell, as a fraction of the active rate. Default 0.02. */
  readonly quietRateFactor?: number;
  /** Mean time between two trend regimes (exponential); each drifts up, down or not at all. Default 10 minutes. */
  readonly trendEveryMs?: number;
  /** Mean time between two disconnections of the feed (exponential, at least 30 s apart). Default 5 minutes; 0: never. */
  readonly disconnectEveryMs?: number;
  /** Id of the first trade of every product. Default: the start time in hundredths of a second, so a later run's ids are higher. */
  readonly firstTradeId?: number;
}

/** What happened in the market up to a time. */
export interface SimulatorStep {
  /** New trades per product, oldest first (products without trades left out). */
  readonly trades: ReadonlyMap<string, readonly TapeTrade[]>;
  /** Event times at which the venue drops its connections, in order. */
  readonly disconnectsUs: readonly number[];
}

const US_PER_S = 1_000_000;
const SECONDS_PER_YEAR = 365 * 86_400;
const MIN_DISCONNECT_SPACING_US = 30 * US_PER_S;

/** 32-bit FNV-1a of a string mixed with the seed: one independent random stream per product and purpose. */
function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator; uniform in (0, 1). */
class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  uniform(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4_294_967_296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }

  exponentialUs(meanUs: number): number {
    return Math.max(1, Math.round(-Math.log(this.uniform()) * meanUs));
  }
}

interface ProductState {
  readonly spec: SimulatedProduct;
  readonly random: Random;
  readonly sigmaPerSqrtS: number;
  logMid: number;
  atUs: number;
  nextCandidateUs: number;
  quietStartUs: number;
  quietEndUs: number;
  driftPerS: number;
  nextTrendUs: number;
  nextTradeId: number;
}

/**
 * A deterministic synthetic market, in event time, with no clock of its own: {@link advance} says what
 * happened up to a time. Per product, trades arrive as a Poisson process at `tradesPerSecond`, thinned to
 * `quietRateFactor` of it during quiet spells; the mid price is a geometric random walk at
 * `annualVolatility` with a drift that changes with trend regimes (up, down or flat, so that moving averages
 * cross and trends pay); a trade prints half a tick plus 0.2 basis points away from the mid on the taker's side,
 * so prices bounce. The venue drops its connections now and then (`disconnectsUs`). Each product, and the
 * disconnections, draw from their own stream of one seed, so the market is the same however it is stepped
 * (property-tested), and one product's path does not depend on which others are simulated.
 */
export class CoinbaseSimulator {
  readonly startUs: number;
  readonly products: readonly SimulatedProduct[];
  readonly #states: ProductState[];
  readonly #quietMeanUs: number;
  readonly #quietMinUs: number;
  readonly #quietMaxUs: number;
  readonly #quietRateFactor: number;
  readonly #trendMeanUs: number;
  readonly #disconnectMeanUs: number;
  readonly #disconnects: Random;
  #nextDisconnectUs: number;
  #atUs: number;

  constructor(options: CoinbaseSimulatorOptions) {
    this.startUs = options.startUs;
    this.products = options.products ?? DEMO_PRODUCTS;
    this.#quietMeanUs = (options.quietEveryMs ?? 240_000) * 1000;
    const [quietMin, quietMax] = options.quietMs ?? [20_000, 90_000];
    this.#quietMinUs = quietMin * 1000;
    this.#quietMaxUs = quietMax * 1000;
    this.#quietRateFactor = options.quietRateFactor ?? 0.02;
    this.#trendMeanUs = (options.trendEveryMs ?? 600_000) * 1000;
    this.#disconnectMeanUs = (options.disconnectEveryMs ?? 300_000) * 1000;
    const firstTradeId = options.firstTradeId ?? Math.floor(options.startUs / 10_000);
    this.#atUs = options.startUs;
    this.#states = this.products.map((spec) => {
      const random = new Random(streamSeed(options.seed, spec.productId));
      const state: ProductState = {
        spec, random, sigmaPerSqrtS: spec.annualVolatility / Math.sqrt(SECONDS_PER_YEAR),
        logMid: Math.log(spec.startPrice), atUs: options.startUs, nextCandidateUs: 0,
        quietStartUs: 0, quietEndUs: options.startUs, driftPerS: 0, nextTrendUs: options.startUs, nextTradeId: firstTradeId,
      };
      this.#scheduleQuiet(state);
      state.nextCandidateUs = options.startUs + random.exponentialUs(US_PER_S / spec.tradesPerSecond);
      return state;
    });
    this.#disconnects = new Random(streamSeed(options.seed, 'disconnects'));
    this.#nextDisconnectUs = this.#disconnectMeanUs <= 0 ? Number.POSITIVE_INFINITY
      : options.startUs + Math.max(MIN_DISCONNECT_SPACING_US, this.#disconnects.exponentialUs(this.#disconnectMeanUs));
  }

  /** The event time the market has been advanced to. */
  get atUs(): number {
    return this.#atUs;
  }

  /** Whether the product is in a quiet spell at the time the market has reached. */
  isQuiet(productId: string): boolean {
    const state = this.#states.find((s) => s.spec.productId === productId);
    return state !== undefined && state.quietStartUs <= this.#atUs && this.#atUs < state.quietEndUs;
  }

  /** Everything that happens after the previous call's time, up to and including `toUs` (never backwards). */
  advance(toUs: number): SimulatorStep {
    const trades = new Map<string, TapeTrade[]>();
    if (toUs <= this.#atUs) return { trades, disconnectsUs: [] };
    for (const state of this.#states) {
      const made: TapeTrade[] = [];
      while (state.nextCandidateUs <= toUs) {
        const trade = this.#candidate(state, state.nextCandidateUs);
        if (trade !== null) made.push(trade);
        state.nextCandidateUs += state.random.exponentialUs(US_PER_S / state.spec.tradesPerSecond);
      }
      if (made.length > 0) trades.set(state.spec.productId, made);
    }
    const disconnectsUs: number[] = [];
    while (this.#nextDisconnectUs <= toUs) {
      disconnectsUs.push(this.#nextDisconnectUs);
      this.#nextDisconnectUs += Math.max(MIN_DISCONNECT_SPACING_US, this.#disconnects.exponentialUs(this.#disconnectMeanUs));
    }
    this.#atUs = toUs;
    return { trades, disconnectsUs };
  }

  /** The mid price moves to `atUs`; a trade prints there unless a quiet spell thins it out. */
  #candidate(state: ProductState, atUs: number): TapeTrade | null {
    while (atUs >= state.nextTrendUs) {
      state.driftPerS = (Math.floor(state.random.uniform() * 3) - 1) * state.sigmaPerSqrtS / 20;
      state.nextTrendUs += state.random.exponentialUs(this.#trendMeanUs);
    }
    const dtS = (atUs - state.atUs) / US_PER_S;
    state.logMid += (state.driftPerS - (state.sigmaPerSqrtS ** 2) / 2) * dtS + state.sigmaPerSqrtS * Math.sqrt(dtS) * state.random.normal();
    state.atUs = atUs;
    while (atUs >= state.quietEndUs) this.#scheduleQuiet(state);
    const quiet = atUs >= state.quietStartUs;
    const accept = state.random.uniform();
    if (quiet && accept >= this.#quietRateFactor) return null;
    const takerBuys = state.random.uniform() < 0.5;
    const { spec } = state;
    const mid = Math.exp(state.logMid);
    const halfSpread = 10 ** -spec.priceDecimals / 2 + mid * 0.00002;
    const price = Math.max(10 ** -spec.priceDecimals, mid + (takerBuys ? halfSpread : -halfSpread));
    const unit = 10 ** -spec.sizeDecimals;
    const size = Math.max(unit, spec.medianSize * Math.exp(0.9 * state.random.normal()));
    return {
      productId: spec.productId, tradeId: state.nextTradeId++, price: price.toFixed(spec.priceDecimals),
      size: size.toFixed(spec.sizeDecimals), makerSide: takerBuys ? 'sell' : 'buy', timeUs: atUs,
    };
  }

  #scheduleQuiet(state: ProductState): void {
    state.quietStartUs = state.quietEndUs + state.random.exponentialUs(this.#quietMeanUs);
    state.quietEndUs = state.quietStartUs + this.#quietMinUs + Math.round(state.random.uniform() * (this.#quietMaxUs - this.#quietMinUs));
  }
}
