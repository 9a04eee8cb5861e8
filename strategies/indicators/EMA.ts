import type { JsonValue } from '../Strategy.js';
import type { Indicator } from './Indicator.js';

/**
 * Exponential moving average with smoothing 2 / (period + 1), seeded with the first input (the Tulip
 * Indicators convention; TA-Lib seeds with an SMA instead). The value is defined from the first input but
 * only trusted (`result`) after `period` inputs.
 * @see https://github.com/TulipCharts/tulipindicators/blob/master/indicators/ema.c
 */
export class EMA implements Indicator<number> {
  readonly warmup: number;
  readonly #alpha: number;
  #value: number | null;
  #count: number;

  readonly period: number;

  constructor(period: number, snapshot?: JsonValue) {
    this.period = period;
    this.warmup = period;
    this.#alpha = 2 / (period + 1);
    const state = snapshot as { value: number | null; count: number } | undefined;
    this.#value = state?.value ?? null;
    this.#count = state?.count ?? 0;
  }

  get isStable(): boolean {
    return this.#count >= this.warmup;
  }

  get result(): number | null {
    return this.isStable ? this.#value : null;
  }

  update(input: number): number | null {
    this.#value = this.#value === null ? input : (input - this.#value) * this.#alpha + this.#value;
    this.#count += 1;
    return this.result;
  }

  snapshot(): JsonValue {
    return { value: this.#value, count: this.#count };
  }
}
