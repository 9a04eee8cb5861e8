import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TapeTrade } from './CoinbaseProtocolServer.js';
import { CoinbaseSimulator, DEMO_PRODUCTS } from './CoinbaseSimulator.js';

const START_US = Date.UTC(2026, 0, 1) * 1000;
const S = 1_000_000;
const HOUR_US = 3600 * S;

/** Every trade and disconnection up to `toUs`, advancing at the given times on the way. */
function run(seed: number, toUs: number, stepsUs: readonly number[] = [], products = DEMO_PRODUCTS) {
  const simulator = new CoinbaseSimulator({ seed, startUs: START_US, products });
  const trades = new Map<string, TapeTrade[]>();
  const disconnectsUs: number[] = [];
  for (const atUs of [...stepsUs].sort((a, b) => a - b).concat(toUs)) {
    const step = simulator.advance(atUs);
    for (const [productId, made] of step.trades) trades.set(productId, [...(trades.get(productId) ?? []), ...made]);
    disconnectsUs.push(...step.disconnectsUs);
  }
  return { trades, disconnectsUs };
}

describe('CoinbaseSimulator', () => {
  it('makes exactly the same market for a seed: the first trades of seed 42', () => {
    const { trades } = run(42, START_US + S);
    expect(trades.get('BTC-USD')?.slice(0, 2)).toEqual([
      { productId: 'BTC-USD', tradeId: 176722560000, price: '65001.06', size: '0.01553448', makerSide: 'sell', timeUs: 1767225600003115 },
      { productId: 'BTC-USD', tradeId: 176722560001, price: '65000.82', size: '0.00863648', makerSide: 'buy', timeUs: 1767225600080406 },
    ]);
    expect(trades.get('ETH-USD')?.[0]).toEqual(
      { productId: 'ETH-USD', tradeId: 176722560000, price: '3200.08', size: '0.08062594', makerSide: 'sell', timeUs: 1767225600035973 });
    expect(trades.get('SOL-USD')?.[0]).toEqual(
      { productId: 'SOL-USD', tradeId: 176722560000, price: '149.99', size: '2.728', makerSide: 'buy', timeUs: 1767225600030628 });
  });

  it('has the market shape of seed 42 over an hour: trade counts, price ranges, last prices, quiet spells, disconnections', () => {
    const { trades, disconnectsUs } = run(42, START_US + HOUR_US);
    const shape = Object.fromEntries([...trades].map(([productId, made]) => {
      const prices = made.map((t) => Number(t.price));
      let longestSilenceUs = 0;
      for (let i = 1; i < made.length; i++) longestSilenceUs = Math.max(longestSilenceUs, (made[i]?.timeUs ?? 0) - (made[i - 1]?.timeUs ?? 0));
      return [productId, {
        trades: made.length, low: Math.min(...prices), high: Math.max(...prices), last: made.at(-1)?.price, longestSilenceUs,
      }];
    }));
    expect(shape).toEqual({
      'BTC-USD': { trades: 23861, low: 64887.32, high: 65760.41, last: '65441.38', longestSilenceUs: 37084445 },
      'ETH-USD': { trades: 14364, low: 3196.96, high: 3318.31, last: '3310.41', longestSilenceUs: 40172356 },
      'SOL-USD': { trades: 9212, low: 146.94, high: 150.8, last: '147.84', longestSilenceUs: 31571323 },
    });
    expect(disconnectsUs.map((t) => Math.round((t - START_US) / S)))
      .toEqual([30, 96, 267, 566, 742, 787, 1127, 1194, 1262, 1814, 2233, 2292, 2823, 3148, 3259, 3294]);
  });

  it('trades at about its configured rates, with quiet spells thinning them', () => {
    const { trades } = run(7, START_US + HOUR_US);
    for (const product of DEMO_PRODUCTS) {
      const perSecond = (trades.get(product.productId)?.length ?? 0) / 3600;
      // Quiet spells (20–90 s every ~4 min at 2 % of the rate) take roughly a fifth of the trades.
      expect(perSecond, product.productId).toBeGreaterThan(product.tradesPerSecond * 0.65);
      expect(perSecond, product.productId).toBeLessThan(product.tradesPerSecond * 0.95);
      const made = trades.get(product.productId) ?? [];
      const silences = made.slice(1).filter((t, i) => t.timeUs - (made[i]?.timeUs ?? 0) > 10 * S);
      expect(silences.length, `${product.productId}: silences of more than 10 s`).toBeGreaterThan(3);
    }
  });

  it('prints valid Coinbase trades: consecutive ids, ordered times, prices and sizes at the product increments, both sides', () => {
    const { trades } = run(3, START_US + 120 * S);
    for (const product of DEMO_PRODUCTS) {
      const made = trades.get(product.productId) ?? [];
      const price = new RegExp(`^[1-9][0-9]*\\.[0-9]{${product.priceDecimals}}$`);
      const size = new RegExp(`^[0-9]+\\.[0-9]{${product.sizeDecimals}}$`);
      made.forEach((t, i) => {
        expect(t.tradeId - (made[0]?.tradeId ?? 0)).toBe(i);
        if (i > 0) expect(t.timeUs).toBeGreaterThanOrEqual(made[i - 1]?.timeUs ?? 0);
        expect(t.price).toMatch(price);
        expect(t.size).toMatch(size);
        expect(Number(t.size)).toBeGreaterThan(0);
      });
      expect(new Set(made.map((t) => t.makerSide))).toEqual(new Set(['buy', 'sell']));
    }
  });

  it('is the same market however it is stepped', () => {
    const whole = run(11, START_US + 120 * S);
    fc.assert(fc.property(fc.array(fc.integer({ min: START_US, max: START_US + 120 * S }), { maxLength: 30 }), (steps) => {
      expect(run(11, START_US + 120 * S, steps)).toEqual(whole);
    }), { numRuns: 40 });
  });

  it('gives each product its own path: the same with or without the other products', () => {
    const sol = DEMO_PRODUCTS.filter((p) => p.productId === 'SOL-USD');
    expect(run(5, START_US + 300 * S, [], sol).trades.get('SOL-USD')).toEqual(run(5, START_US + 300 * S).trades.get('SOL-USD'));
  });

  it('makes another market for another seed', () => {
    expect(run(1, START_US + 10 * S).trades.get('BTC-USD')).not.toEqual(run(2, START_US + 10 * S).trades.get('BTC-USD'));
  });

  it('keeps disconnections at least 30 s apart and can be told never to disconnect', () => {
    const { disconnectsUs } = run(9, START_US + 6 * HOUR_US, [], []);
    expect(disconnectsUs.length).toBeGreaterThan(50);
    disconnectsUs.slice(1).forEach((t, i) => { expect(t - (disconnectsUs[i] ?? 0)).toBeGreaterThanOrEqual(30 * S); });
    const never = new CoinbaseSimulator({ seed: 9, startUs: START_US, products: [], disconnectEveryMs: 0 });
    expect(never.advance(START_US + 6 * HOUR_US).disconnectsUs).toEqual([]);
  });

  it('never goes back in time: advancing to an earlier time returns nothing', () => {
    const simulator = new CoinbaseSimulator({ seed: 1, startUs: START_US });
    simulator.advance(START_US + 10 * S);
    expect(simulator.advance(START_US + 5 * S)).toEqual({ trades: new Map(), disconnectsUs: [] });
    expect(simulator.atUs).toBe(START_US + 10 * S);
  });
});
