import type { JsonValue } from '../../strategies/Strategy.js';

/**
 * Maximum drawdown of the equity curve ∏(1 + r) since the start, O(1) per return. The curve starts at a base
 * of 1 before the first return, so a first-period loss counts. Reported as a fraction ≤ 0.
 */
export class RunningDrawdown {
  #equity = 1;
  #peak = 1;
  #worst = 1;

  constructor(snapshot?: JsonValue) {
    if (snapshot !== undefined) [this.#equity, this.#peak, this.#worst] = snapshot as [number, number, number];
  }

  /** ∏(1 + r) − 1 so far. */
  get cumulativeReturn(): number {
    return this.#equity - 1;
  }

  get maxDrawdown(): number {
    return this.#worst - 1;
  }

  add(r: number): void {
    this.#equity *= 1 + r;
    if (this.#equity > this.#peak) this.#peak = this.#equity;
    const ratio = this.#equity / this.#peak;
    if (ratio < this.#worst) this.#worst = ratio;
  }

  snapshot(): JsonValue {
    return [this.#equity, this.#peak, this.#worst];
  }
}
