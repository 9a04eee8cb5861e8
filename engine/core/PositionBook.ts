import type { TargetPosition } from '../../strategies/Strategy.js';

export interface Fill {
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly fee: number;
  /** Profit of the round trip this fill closed (fees included), or null for an opening fill. */
  readonly realizedPnl: number | null;
  readonly positionAfter: number;
}

export interface PositionBookState {
  readonly cash: number;
  readonly quantity: number;
  /** Cash spent (long) or received (short) to open the current position, fees included. */
  readonly entryCost: number;
  readonly bankrupt?: boolean;
}

/**
 * The money side of one strategy instance: all-in positions (long, flat or short the whole equity), filled at
 * a given price with slippage against the trader and a fee on the notional, both in basis points.
 * Equity = cash + quantity · price. A long position cannot lose more than its equity; a short one can, so a
 * short whose marked equity reaches zero is liquidated and the shortfall written off: the book is then
 * bankrupt (equity 0) and trades no more.
 */
export class PositionBook {
  readonly #fee: number;
  readonly #slippage: number;
  #cash: number;
  #quantity: number;
  #entryCost: number;
  #bankrupt: boolean;

  constructor(initialEquity: number, feeBps: number, slippageBps: number, state?: PositionBookState) {
    this.#fee = feeBps / 10_000;
    this.#slippage = slippageBps / 10_000;
    this.#cash = state?.cash ?? initialEquity;
    this.#quantity = state?.quantity ?? 0;
    this.#entryCost = state?.entryCost ?? 0;
    this.#bankrupt = state?.bankrupt ?? false;
  }

  get bankrupt(): boolean {
    return this.#bankrupt;
  }

  /** Liquidates a position whose marked equity is zero or less; returns the fill, or null if solvent. */
  liquidateIfInsolvent(price: number): Fill | null {
    if (this.#quantity === 0 || this.equity(price) > 0) return null;
    const fill = this.#close(price);
    this.#cash = 0;
    this.#bankrupt = true;
    return fill;
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

  /** Trades to `target` at `price` (before slippage); a reversal is two fills. */
  moveTo(target: TargetPosition, price: number): Fill[] {
    const fills: Fill[] = [];
    if (this.#bankrupt || target === this.direction) return fills;
    if (this.#quantity !== 0) fills.push(this.#close(price));
    if (target === 'long') fills.push(this.#openLong(price));
    if (target === 'short') fills.push(this.#openShort(price));
    return fills;
  }

  snapshot(): PositionBookState {
    return { cash: this.#cash, quantity: this.#quantity, entryCost: this.#entryCost, bankrupt: this.#bankrupt };
  }

  #openLong(price: number): Fill {
    const fillPrice = price * (1 + this.#slippage);
    // Spend all the cash: quantity · fillPrice · (1 + fee) = cash.
    const quantity = this.#cash / (fillPrice * (1 + this.#fee));
    const fee = quantity * fillPrice * this.#fee;
    this.#entryCost = this.#cash;
    this.#cash = 0;
    this.#quantity = quantity;
    return { side: 'buy', quantity, price: fillPrice, fee, realizedPnl: null, positionAfter: quantity };
  }

  #openShort(price: number): Fill {
    const fillPrice = price * (1 - this.#slippage);
    // Sell short a notional equal to the equity (all cash), receiving it less the fee.
    const quantity = this.#cash / fillPrice;
    const fee = quantity * fillPrice * this.#fee;
    this.#entryCost = quantity * fillPrice - fee;
    this.#cash += this.#entryCost;
    this.#quantity = -quantity;
    return { side: 'sell', quantity, price: fillPrice, fee, realizedPnl: null, positionAfter: -quantity };
  }

  #close(price: number): Fill {
    const long = this.#quantity > 0;
    const quantity = Math.abs(this.#quantity);
    const fillPrice = price * (long ? 1 - this.#slippage : 1 + this.#slippage);
    const fee = quantity * fillPrice * this.#fee;
    let realizedPnl: number;
    if (long) {
      const proceeds = quantity * fillPrice - fee;
      this.#cash += proceeds;
      realizedPnl = proceeds - this.#entryCost;
    } else {
      const cost = quantity * fillPrice + fee;
      this.#cash -= cost;
      realizedPnl = this.#entryCost - cost;
    }
    this.#quantity = 0;
    this.#entryCost = 0;
    return { side: long ? 'sell' : 'buy', quantity, price: fillPrice, fee, realizedPnl, positionAfter: 0 };
  }
}
