import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TargetPosition } from '../../strategies/Strategy.js';
import { type Fill, PositionBook, type PositionBookState } from './PositionBook.js';

/** |actual − expected| ≤ rel · |expected| (for values whose last bits depend on the order of operations). */
function expectClose(actual: number | null | undefined, expected: number, rel = 1e-12, why?: string): void {
  expect(typeof actual, why).toBe('number');
  expect(Math.abs(actual! - expected), `${why ?? ''} ${actual} ≈ ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('PositionBook', () => {
  it('buys with all its cash, fees and slippage included, and books the round trip\'s profit', () => {
    const book = new PositionBook(1000, 10, 100);
    const [buy] = book.moveTo('long', 100);
    // 100 + 1 % slippage = 101; all-in: quantity · 101 · (1 + 0.001) = 1000.
    expect(buy).toEqual({ side: 'buy', quantity: 1000 / (101 * 1.001), price: 101, fee: (1000 / (101 * 1.001)) * 101 * 0.001, realizedPnl: null, positionAfter: 1000 / (101 * 1.001), liquidation: false });
    expect(book.equity(101)).toBeCloseTo(1000 / 1.001, 9);
    const [sell] = book.moveTo('flat', 120);
    // 120 − 1 % = 118.8, less the 0.1 % fee.
    const proceeds = buy!.quantity * 118.8 * 0.999;
    expect(sell).toMatchObject({ side: 'sell', price: 118.8, realizedPnl: proceeds - 1000, positionAfter: 0, liquidation: false });
    expect(book.equity(1)).toBe(proceeds);
  });

  it('reverses a long into a short with one closing sell and one opening sell', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('long', 100);
    // Long 10 at 100; sold at 110 → cash 1100, then short 1100 / 110 = 10.
    expect(book.moveTo('short', 110).map((f) => [f.side, f.quantity, f.realizedPnl, f.positionAfter, f.liquidation]))
      .toEqual([['sell', 10, 100, 0, false], ['sell', 10, null, -10, false]]);
    expect(book.equity(110)).toBeCloseTo(1100, 9);
    expect(book.moveTo('short', 90), 'already short').toEqual([]);
  });

  it('liquidates a short bought back after a gap (issue 9, example C): one losing fill, equity 0, no more fills', () => {
    const book = new PositionBook(10_000, 10, 2);
    const [short] = book.moveTo('short', 100);
    // Hand computation: sell price 100 · (1 − 0.0002) = 99.98; quantity = 10 000 / 99.98 = 100.020004…;
    // fee = 10 000 · 0.001 = 10; cash = 10 000 + 10 000 − 10 = 19 990.
    const quantity = 10_000 / 99.98;
    expect(short).toEqual({ side: 'sell', quantity, price: 99.98, fee: 10, realizedPnl: null, positionAfter: -quantity, liquidation: false });
    // Mark at 150: 19 990 − 150 · 10 000 / 99.98 = 19 990 − 15 003.00060012… = 4 986.99939988…
    expect(book.liquidateIfInsolvent(150), 'solvent at 150').toBeNull();
    expectClose(book.equity(150), 19_990 - 1_500_000 / 99.98);
    expectClose(book.equity(150), 4986.999399879976);

    const fills = book.moveTo('flat', 250);
    // Buy-back at 250 · 1.0002 = 250.05 (250.04999999999998 in binary); fee = quantity · 250.05 · 0.001 =
    // 25.010002…; cost = quantity · 250.05 · 1.001 = 25 035.0120024…; cash would be 19 990 − 25 035.012 =
    // −5 045.012 (what the book reported before liquidation at the fill): the shortfall 5 045.012 is written off.
    // realizedPnl = raw (9 990 − 25 035.012) + shortfall 5 045.012 = −10 000, the equity the round trip began with.
    expect(fills).toHaveLength(1);
    const [buy] = fills;
    expect(buy).toMatchObject({ side: 'buy', quantity, positionAfter: 0, liquidation: true });
    expectClose(buy!.price, 250.05);
    expectClose(buy!.fee, quantity * 250.05 * 0.001);
    expectClose(buy!.realizedPnl, -10_000, 1e-9);
    expect([book.equity(250), book.equity(1), book.equity(1e6), book.quantity, book.direction, book.bankrupt]).toEqual([0, 0, 0, 0, 'flat', true]);
    expect(book.moveTo('short', 250), 'bankrupt: before the fix, a "buy −21"').toEqual([]);
    expect(book.moveTo('long', 250)).toEqual([]);
    expect(book.liquidateIfInsolvent(1000)).toBeNull();
  });

  it('does not open the new side of a reversal whose closing fill liquidated', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('short', 100);
    // Short 10 at 100, cash 2 000; buying 10 back at 300 costs 3 000: shortfall 1 000 written off;
    // realizedPnl = raw (1 000 − 3 000) + 1 000 = −1 000.
    expect(book.moveTo('long', 300)).toEqual([{ side: 'buy', quantity: 10, price: 300, fee: 0, realizedPnl: -1000, positionAfter: 0, liquidation: true }]);
    expect([book.equity(300), book.direction, book.bankrupt]).toEqual([0, 'flat', true]);
  });

  it('liquidates a close that leaves exactly zero equity', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('short', 100);
    // Cash 2 000 buys back 10 at 200 exactly: equity 0 is not a going concern.
    expect(book.moveTo('flat', 200)).toEqual([{ side: 'buy', quantity: 10, price: 200, fee: 0, realizedPnl: -1000, positionAfter: 0, liquidation: true }]);
    expect(book.bankrupt).toBe(true);
  });

  it('liquidates a short at a mark that leaves no equity, writes the shortfall off, and trades no more', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('short', 100);
    expect(book.liquidateIfInsolvent(150), 'equity 2 000 − 1 500 = 500').toBeNull();
    const fill = book.liquidateIfInsolvent(250);
    // Raw loss 1 000 − 2 500 = −1 500 (what the book reported before the write-off); shortfall 500; capped −1 000.
    expect(fill).toEqual({ side: 'buy', quantity: 10, price: 250, fee: 0, realizedPnl: -1000, positionAfter: 0, liquidation: true });
    expect([book.equity(250), book.bankrupt]).toEqual([0, true]);
    expect(book.moveTo('long', 100)).toEqual([]);
  });

  it('liquidates at a mark with fee and slippage as at a fill (example C\'s book marked at 250)', () => {
    const book = new PositionBook(10_000, 10, 2);
    book.moveTo('short', 100);
    // Marked equity 19 990 − 250 · 100.020004… = −5 015.001 ≤ 0; the buy-back is priced as in example C.
    const fill = book.liquidateIfInsolvent(250);
    expect(fill).toMatchObject({ side: 'buy', quantity: 10_000 / 99.98, positionAfter: 0, liquidation: true });
    expectClose(fill!.price, 250.05);
    expectClose(fill!.realizedPnl, -10_000, 1e-9);
    expect([book.equity(250), book.bankrupt]).toEqual([0, true]);
  });

  it('never liquidates a long: its equity is quantity · price, positive at any price', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('long', 100);
    // Long 10, no cash: −90 % twice leaves 10 · 10 = 100, then 10 · 1 = 10.
    expect(book.liquidateIfInsolvent(10)).toBeNull();
    expect(book.equity(10)).toBe(100);
    expect(book.liquidateIfInsolvent(1)).toBeNull();
    expect(book.equity(1)).toBe(10);
    expect(book.moveTo('flat', 1)).toEqual([{ side: 'sell', quantity: 10, price: 1, fee: 0, realizedPnl: -990, positionAfter: 0, liquidation: false }]);
    expect(book.bankrupt).toBe(false);
  });

  it('loads checkpoints written without the bankrupt field', () => {
    const book = new PositionBook(1000, 0, 0, { cash: 0, quantity: 10, entryCost: 1000 });
    expect([book.direction, book.bankrupt, book.equity(120)]).toEqual(['long', false, 1200]);
    expect(book.moveTo('flat', 120)).toEqual([{ side: 'sell', quantity: 10, price: 120, fee: 0, realizedPnl: 200, positionAfter: 0, liquidation: false }]);
  });

  it('loads as bankrupt a checkpoint whose books had already gone below zero', () => {
    // Example C before the fix: flat with cash −5 045.01, then the "buy −21" made a long with negative cash.
    const states: PositionBookState[] = [
      { cash: -5045.0120024004755, quantity: 0, entryCost: 0 },
      { cash: -10_090.02, quantity: 20.17, entryCost: -5045.01 },
      { cash: 0, quantity: -3, entryCost: 0 },
    ];
    for (const state of states) {
      const book = new PositionBook(1000, 10, 2, state);
      expect([book.bankrupt, book.quantity, book.equity(250)], JSON.stringify(state)).toEqual([true, 0, 0]);
      expect(book.moveTo('long', 250)).toEqual([]);
    }
  });

  it('refuses settings and prices that would break its invariants', () => {
    expect(() => new PositionBook(0, 10, 2)).toThrow(RangeError);
    expect(() => new PositionBook(1000, 10_000, 2), 'a 100 % fee leaves a sale no proceeds').toThrow(RangeError);
    expect(() => new PositionBook(1000, 10, 10_000), 'a 100 % slippage sells at 0').toThrow(RangeError);
    const book = new PositionBook(1000, 10, 2);
    for (const price of [0, -1, Number.NaN, Infinity]) {
      expect(() => book.moveTo('long', price), String(price)).toThrow(RangeError);
      expect(() => book.liquidateIfInsolvent(price), String(price)).toThrow(RangeError);
    }
  });
});

type Op = TargetPosition | 'mark';

/** Random books: fee and slippage 0–100 bps, a price path with gaps of up to ±90 %, and fills or marks. */
// Gaps in 0.01 % steps, one in four a jump of +50…+90 % so that shorts often gap through (fc.double would draw
// mostly gaps near 0).
const scenarios = fc.record({
  initialEquity: fc.integer({ min: 1, max: 10_000_000 }),
  feeBps: fc.integer({ min: 0, max: 10_000 }).map((x) => x / 100),
  slippageBps: fc.integer({ min: 0, max: 10_000 }).map((x) => x / 100),
  startPrice: fc.integer({ min: 1, max: 100_000_000 }).map((x) => x / 1000),
  steps: fc.array(fc.record({
    gap: fc.oneof({ arbitrary: fc.integer({ min: -9000, max: 9000 }), weight: 3 }, { arbitrary: fc.integer({ min: 5000, max: 9000 }), weight: 1 })
      .map((x) => x / 10_000),
    op: fc.constantFrom<Op>('long', 'flat', 'short', 'mark'),
  }), { minLength: 1, maxLength: 60 }),
});

/** Read through a call: TypeScript would keep its narrowing of the getter across `moveTo`. */
const isBankrupt = (book: PositionBook): boolean => book.bankrupt;
const SIGN: Record<TargetPosition, number> = { long: 1, flat: 0, short: -1 };
const CLOSING_SIDE = { long: 'sell', short: 'buy' } as const;
const OPENING_SIDE = { long: 'buy', short: 'sell' } as const;

describe('PositionBook invariants', () => {
  it('keeps equity ≥ 0, fills well-formed and a round trip\'s loss within its equity, on ±90 % gaps and random targets', () => {
    const seen = { reversals: 0, liquidatedAtFill: 0, liquidatedAtMark: 0 };
    fc.assert(fc.property(scenarios, ({ initialEquity, feeBps, slippageBps, startPrice, steps }) => {
      const fee = feeBps / 10_000;
      const book = new PositionBook(initialEquity, feeBps, slippageBps);
      /** The equity the open position started with (the cash before its opening fill). */
      let entryEquity = 0;
      let price = startPrice;

      /** Checks a closing fill against the position it closed; returns the equity left after it. */
      const checkClose = (fill: Fill | undefined, closed: 'long' | 'short', quantityBefore: number): number => {
        expect(fill).toMatchObject({ side: CLOSING_SIDE[closed], quantity: Math.abs(quantityBefore), positionAfter: 0 });
        expect(fill!.fee).toBeGreaterThanOrEqual(0);
        // realizedPnl = equity after the close − equity at entry, so never below −entryEquity.
        expect(fill!.realizedPnl! + entryEquity * (1 + 1e-9), 'loss capped at the entry equity').toBeGreaterThanOrEqual(0);
        if (fill!.liquidation) {
          expectClose(fill!.realizedPnl, -entryEquity, 1e-9, 'a liquidation loses exactly the entry equity');
          expect([book.bankrupt, book.quantity, book.equity(price), book.equity(fill!.price)]).toEqual([true, 0, 0, 0]);
          return 0;
        }
        return entryEquity + fill!.realizedPnl!;
      };

      for (const { gap, op } of steps) {
        price *= 1 + gap;
        const wasBankrupt = book.bankrupt;
        const before = { direction: book.direction, quantity: book.quantity, equity: book.equity(price) };
        /** Where the book was just priced: the mark, or the move's price and the last fill's price. */
        let pricedAt: number[] = [];
        if (op === 'mark') {
          pricedAt = [price];
          const fill = book.liquidateIfInsolvent(price);
          if (wasBankrupt || before.direction === 'flat' || before.equity > 0) expect(fill).toBeNull();
          else {
            seen.liquidatedAtMark += 1;
            expect(fill!.liquidation).toBe(true);
            checkClose(fill!, before.direction, before.quantity);
          }
        } else {
          const fills = book.moveTo(op, price);
          if (fills.length > 0) pricedAt = [price, fills.at(-1)!.price];
          if (wasBankrupt || op === before.direction) expect(fills, 'bankrupt, or already there').toEqual([]);
          else {
            let equityLeft = before.equity;
            let rest = fills;
            if (before.direction !== 'flat') {
              equityLeft = checkClose(fills[0], before.direction, before.quantity);
              rest = fills.slice(1);
              if (fills[0]!.liquidation) seen.liquidatedAtFill += 1;
              else if (op !== 'flat') seen.reversals += 1;
            }
            if (isBankrupt(book)) expect(rest, 'no opening fill after a liquidation').toEqual([]);
            else if (op === 'flat') {
              expect(rest).toEqual([]);
              // realizedPnl is what the round trip added to the equity (to rounding, relative to the entry equity).
              expect(Math.abs(book.equity(price) - equityLeft), 'equity after = entry equity + realizedPnl').toBeLessThanOrEqual(1e-9 * entryEquity);
            }
            else {
              expect(equityLeft, 'cash to open with').toBeGreaterThan(0);
              expect(rest).toHaveLength(1);
              const open = rest[0]!;
              expect(open).toMatchObject({ side: OPENING_SIDE[op], realizedPnl: null, liquidation: false, positionAfter: book.quantity });
              expect(open.quantity).toBeGreaterThan(0);
              // All-in: a long spends quantity · price · (1 + fee), a short sells quantity · price, = the equity.
              expectClose(open.quantity * open.price * (op === 'long' ? 1 + fee : 1), equityLeft, 1e-9, 'all-in');
              entryEquity = equityLeft;
            }
            for (const fill of fills) expect(fill.quantity, 'every fill trades something').toBeGreaterThan(0);
            if (fills.length > 0) expect(fills.at(-1)!.positionAfter, 'positionAfter of the last fill').toBe(book.quantity);
            expect(book.direction, 'the target, unless liquidated').toBe(isBankrupt(book) ? 'flat' : op);
          }
        }
        expect(Math.sign(book.quantity), 'sign matches direction').toBe(SIGN[book.direction]);
        // A short held through gaps with neither a fill nor a mark may be under water until its next mark.
        for (const at of pricedAt) {
          expect(book.equity(at), 'equity ≥ 0').toBeGreaterThanOrEqual(0);
          expect(book.equity(at) / initialEquity - 1, 'cumulative return ≥ −100 %').toBeGreaterThanOrEqual(-1);
        }
        if (book.bankrupt) expect([book.quantity, book.equity(price)]).toEqual([0, 0]);
      }
    }), { numRuns: 300 });
    // The property means something only if the random paths reach every branch.
    expect(seen.reversals, 'reversals').toBeGreaterThan(0);
    expect(seen.liquidatedAtFill, 'liquidations at a fill').toBeGreaterThan(0);
    expect(seen.liquidatedAtMark, 'liquidations at a mark').toBeGreaterThan(0);
  });

  it('continues a book restored from its snapshot exactly as the unbroken book', () => {
    fc.assert(fc.property(scenarios, fc.nat(), ({ initialEquity, feeBps, slippageBps, startPrice, steps }, split) => {
      const run = (splitAt: number) => {
        let book = new PositionBook(initialEquity, feeBps, slippageBps);
        let price = startPrice;
        return steps.map(({ gap, op }, i) => {
          if (i === splitAt) book = new PositionBook(initialEquity, feeBps, slippageBps, JSON.parse(JSON.stringify(book.snapshot())) as PositionBookState);
          price *= 1 + gap;
          const fills = op === 'mark' ? [book.liquidateIfInsolvent(price)] : book.moveTo(op, price);
          return { fills, equity: book.equity(price), snapshot: book.snapshot() };
        });
      };
      expect(run(split % steps.length)).toEqual(run(-1));
    }));
  });
});
