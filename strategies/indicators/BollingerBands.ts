import type { JsonValue } from '../Strategy.js';
import type { Indicator } from './Indicator.js';
import { RingBuffer } from './RingBuffer.js';

export interface Bands {
  readonly lower: number;
  readonly middle: number;
  readonly upper: number;
  /** The population standard deviation of the window (the bands are middle ± k · deviation). */
  readonly deviation: number;
}

/**
 * Bollinger Bands: the SMA of the last `period` inputs ± `k` **population** standard deviations of them (divided
 * by `period`, as Bollinger and Tulip Indicators define them; not the sample deviation). The deviation is
 * computed from the window itself each time (two passes), not from running sums of squares, which lose
 * precision on flat prices. As the newest input is one of the `period` values, it lies at most √(period − 1)
 * deviations from their mean (see docs/conventions.md#indicators-and-strategies).
 * @see https://github.com/TulipCharts/tulipindicators/blob/master/indicators/bbands.c
 */
export class BollingerBands implements Indicator<Bands> {
  readonly warmup: number;
  readonly #window: RingBuffer;
  #result: Bands | null = null;

  readonly period: number;
  readonly k: number;

  constructor(period: number, k: number, snapshot?: JsonValue) {
    this.period = period;
    this.k = k;
    this.warmup = period;
    this.#window = new RingBuffer(period, (snapshot as number[] | undefined) ?? []);
    if (this.#window.isFull) this.#result = this.#compute();
  }

  get isStable(): boolean {
    return this.#window.isFull;
  }

  get result(): Bands | null {
    return this.#result;
  }

  update(input: number): Bands | null {
    this.#window.push(input);
    this.#result = this.#window.isFull ? this.#compute() : null;
    return this.#result;
  }

  snapshot(): JsonValue {
    return this.#window.toArray();
  }

  #compute(): Bands {
    const values = this.#window.toArray();
    const middle = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - middle) ** 2, 0) / values.length;
    const deviation = Math.sqrt(variance);
    return { lower: middle - this.k * deviation, middle, upper: middle + this.k * deviation, deviation };
  }
}
