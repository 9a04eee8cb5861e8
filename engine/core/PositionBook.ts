import type { TargetPosition } from '../../strategies/Strategy.js';

/**
 * One execution against the book, as the book priced it.
 *
 * Conventions: `price` is the fill price after slippage (against the trader: buys above, sells below the
 * price the book was given); `fee` is `quantity · price · feeBps / 10 000`, paid in quote currency on top of a
 * buy and out of a sell; `quantity` is always > 0 and `side` says the direction (closing a long and opening a
 * short sell, closing a short and opening a long buy). A reversal is two fills, the closing one first.
 */
export interface Fill {
  readonly side: 'buy' | 'sell';
  /** Base quantity traded, always > 0. */
  readonly quantity: number;
  /** Fill price, slippage included. */
  readonly price: number;
  /** Fee in quote currency, on the notional `quantity · price`. */
  readonly fee: number;
  /**
   * Profit of the round trip this fill closed (fees included), or null for an opening fill. It always equals
   * the equity after the close minus the equity before the opening fill, so it is never below minus that
   * equity: a liquidation's loss is capped at the equity the round trip started with.
   */
  readonly realizedPnl: number | null;
  /** Signed quantity held right after this fill (negative: short; 0 after a closing fill). */
  readonly positionAfter: number;
  /**
   * True for a fill that liquidated the book: it closed a position whose equity it left at or below zero
   * (the shortfall was written off, the equity is exactly 0 and the book is bankrupt). False otherwise.
   */
  readonly liquidation: boolean;
}

/**
 * What a checkpoint keeps of a book. Fields added later are optional so that older checkpoints still load.
 * A checkpoint whose books had already gone below zero (written before liquidation at the fill existed:
 * negative cash, or a flat or short book without cash) loads as bankrupt, which is what the book would be
 * had it liquidated at that fill.
 */
export interface PositionBookState {
  readonly cash: number;
  readonly quantity: number;
  /** Cash spent (long) or received (short) to open the current position, fees included. */
  readonly entryCost: number;
  readonly bankrupt?: boolean;
}

/**
 * The money side of one strategy instance. Pure and synchronous: no I/O, no clock; the caller says when
 * and at which price each fill happens.
 *
 * Conventions:
 * - Sizing is all-in: a position is long, flat or short the whole equity. Opening long spends all the cash,
 *   fee included (`quantity · price · (1 + fee) = cash`); opening short sells a notional equal to the equity
 *   and keeps the proceeds less the fee as cash.
 * - Slippage is against the trader, in basis points of the given price: buys fill at `price · (1 + slippage)`,
 *   sells at `price · (1 − slippage)`. The fee is in basis points of the fill's notional.
 * - Equity = cash + quantity · price (quantity negative when short).
 * - Liquidation: a fill that would leave the equity at or below zero (a short bought back after the price
 *   gapped far above its entry) closes the position at that fill's price, slippage and fee as usual, and the
 *   shortfall is written off: the equity is exactly 0, the round trip's loss is the equity it started with,
 *   and no opening fill follows (a reversal does not open). `liquidateIfInsolvent` does the same when a mark
 *   leaves a short with no equity.
 * - A bankrupt book (equity 0 after a liquidation) never trades again: `moveTo` returns no fills.
 *
 * Invariants (property-tested in PositionBook.test.ts): equity ≥ 0 after every fill and at every mark that
 * went through `liquidateIfInsolvent`; the quantity's sign matches `direction`; every fill has a quantity > 0
 * and the side of what it does; `positionAfter` of the last fill is the book's quantity.
 */
export class PositionBook {
  readonly #fee: number;
  readonly #buyFactor: number;
  readonly #sellFactor: number;
  #cash: number;
  #quantity: number;
  #entryCost: number;
  #bankrupt: boolean;

  constructor(initialEquity: number, feeBps: number, slippageBps: number, state?: PositionBookState) {
    if (!(initialEquity > 0 && initialEquity < Infinity)) throw new RangeError(`initial equity must be positive and finite, got ${initialEquity}`);
    // Below 100 % both, so that a sell always brings in cash and a long's equity stays positive.
    if (!(feeBps >= 0 && feeBps < 10_000)) throw new RangeError(`fee must be in [0, 10000) bps, got ${feeBps}`);
    if (!(slippageBps >= 0 && slippageBps < 10_000)) throw new RangeError(`slippage must be in [0, 10000) bps, got ${slippageBps}`);
    this.#fee = feeBps / 10_000;
    this.#buyFactor = 1 + slippageBps / 10_000;
    this.#sellFactor = 1 - slippageBps / 10_000;
    this.#cash = state?.cash ?? initialEquity;
    this.#quantity = state?.quantity ?? 0;
    this.#entryCost = state?.entryCost ?? 0;
    this.#bankrupt = state?.bankrupt ?? false;
    // A live book has cash, or is a long that spent all of it; anything else is a book already gone to zero.
    const alive = this.#cash > 0 || (this.#cash === 0 && this.#quantity > 0);
    if (this.#bankrupt || !alive) this.#goBankrupt();
  }

  get bankrupt(): boolean {
    return this.#bankrupt;
  }

  get quantity(): number {
    return this.#quantity;
  }

  get direction(): TargetPosition {
    return this.#quantity > 0 ? 'long' : this.#quantity < 0 ? 'short' : 'flat';
  }

  equity(price: number): number {
    return this.#cash + this.#quantity * price;
  }

  /**
   * Trades to `target` at `price` (before slippage). Returns no fill if the book is already there or is
   * bankrupt, one fill to open or close, and two for a reversal (closing, then opening) — or only the closing
   * fill, with `liquidation` true, if closing left no equity.
   */
  moveTo(target: TargetPosition, price: number): Fill[] {
    checkPrice(price);
    const fills: Fill[] = [];
    if (this.#bankrupt || target === this.direction) return fills;
    if (this.#quantity !== 0) {
      const close = this.#close(price, false);
      fills.push(close);
      if (close.liquidation) return fills;
    }
    if (target === 'long') fills.push(this.#openLong(price));
    else if (target === 'short') fills.push(this.#openShort(price));
    return fills;
  }

  /**
   * Marks the book at `price` (a bar's close) and liquidates a position whose marked equity is zero or less:
   * returns that closing fill (at `price` with slippage and fee, `liquidation` true; the book is then bankrupt
   * with equity exactly 0), or null if solvent. Only a short can be liquidated here: a long holds no debt
   * (it spent its cash, never borrowed), so its equity `quantity · price` is positive at any positive price.
   */
  liquidateIfInsolvent(price: number): Fill | null {
    checkPrice(price);
    if (this.#quantity === 0 || this.equity(price) > 0) return null;
    return this.#close(price, true);
  }

  snapshot(): PositionBookState {
    return { cash: this.#cash, quantity: this.#quantity, entryCost: this.#entryCost, bankrupt: this.#bankrupt };
  }

  #openLong(price: number): Fill {
    const fillPrice = price * this.#buyFactor;
    // Spend all the cash: quantity · fillPrice · (1 + fee) = cash.
    const quantity = this.#cash / (fillPrice * (1 + this.#fee));
    const fee = quantity * fillPrice * this.#fee;
    this.#entryCost = this.#cash;
    this.#cash = 0;
    this.#quantity = quantity;
    return { side: 'buy', quantity, price: fillPrice, fee, realizedPnl: null, positionAfter: quantity, liquidation: false };
  }

  #openShort(price: number): Fill {
    const fillPrice = price * this.#sellFactor;
    // Sell short a notional equal to the equity (all cash), receiving it less the fee.
    const quantity = this.#cash / fillPrice;
    const fee = quantity * fillPrice * this.#fee;
    this.#entryCost = quantity * fillPrice - fee;
    this.#cash += this.#entryCost;
    this.#quantity = -quantity;
    return { side: 'sell', quantity, price: fillPrice, fee, realizedPnl: null, positionAfter: -quantity, liquidation: false };
  }

  /** Closes the position; liquidates if `force` or if the close leaves no cash. */
  #close(price: number, force: boolean): Fill {
    const long = this.#quantity > 0;
    const quantity = long ? this.#quantity : -this.#quantity;
    const fillPrice = price * (long ? this.#sellFactor : this.#buyFactor);
    const notional = quantity * fillPrice;
    const fee = notional * this.#fee;
    // Cash in (sale of a long) or out (buy-back of a short), and the entry's cash flow with the same sign.
    const cashFlow = long ? notional - fee : -(notional + fee);
    const entryFlow = long ? -this.#entryCost : this.#entryCost;
    const cashAfter = this.#cash + cashFlow;
    const liquidation = force || !(cashAfter > 0);
    let realizedPnl: number;
    if (liquidation) {
      // The shortfall −cashAfter is written off: realizedPnl = (entryFlow + cashFlow) + shortfall, which is
      // entryFlow − cash (the equity before the opening fill, negated), computed without the cancellation.
      realizedPnl = entryFlow - this.#cash;
      this.#goBankrupt();
    } else {
      realizedPnl = entryFlow + cashFlow;
      this.#cash = cashAfter;
      this.#quantity = 0;
      this.#entryCost = 0;
    }
    return { side: long ? 'sell' : 'buy', quantity, price: fillPrice, fee, realizedPnl, positionAfter: 0, liquidation };
  }

  #goBankrupt(): void {
    this.#cash = 0;
    this.#quantity = 0;
    this.#entryCost = 0;
    this.#bankrupt = true;
  }
}

function checkPrice(price: number): void {
  if (!(price > 0 && price < Infinity)) throw new RangeError(`fill price must be positive and finite, got ${price}`);
}
