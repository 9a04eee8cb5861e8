import { describe, expect, it } from 'vitest';
import { PositionBook } from './PositionBook.js';

describe('PositionBook', () => {
  it('buys with all its cash, fees and slippage included, and books the round trip\'s profit', () => {
    const book = new PositionBook(1000, 10, 100);
    const [buy] = book.moveTo('long', 100);
    expect(buy).toEqual({ side: 'buy', quantity: 1000 / (101 * 1.001), price: 101, fee: (1000 / (101 * 1.001)) * 101 * 0.001, realizedPnl: null, positionAfter: 1000 / (101 * 1.001) });
    expect(book.equity(101)).toBeCloseTo(1000 / 1.001, 9);
    const [sell] = book.moveTo('flat', 120);
    const proceeds = buy!.quantity * 118.8 * 0.999;
    expect(sell).toMatchObject({ side: 'sell', price: 118.8, realizedPnl: proceeds - 1000, positionAfter: 0 });
    expect(book.equity(1)).toBe(proceeds);
  });

  it('reverses a long into a short with two fills', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('long', 100);
    expect(book.moveTo('short', 110).map((f) => [f.side, f.positionAfter])).toEqual([['sell', 0], ['sell', -1100 / 110]]);
    expect(book.equity(110)).toBeCloseTo(1100, 9);
  });

  it('liquidates a short that loses all its equity, writes off the shortfall, and trades no more', () => {
    const book = new PositionBook(1000, 0, 0);
    book.moveTo('short', 100);
    expect(book.liquidateIfInsolvent(150), 'still solvent at 150').toBeNull();
    const fill = book.liquidateIfInsolvent(250);
    expect(fill).toMatchObject({ side: 'buy', quantity: 10, price: 250, realizedPnl: 1000 - 2500, positionAfter: 0 });
    expect([book.equity(250), book.bankrupt]).toEqual([0, true]);
    expect(book.moveTo('long', 100)).toEqual([]);
  });
});
