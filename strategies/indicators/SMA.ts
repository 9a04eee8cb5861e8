import type { JsonValue } from '../Strategy.js';
import type { Indicator } from './Indicator.js';
import { RingBuffer } from './RingBuffer.js';

/**
 * Simple moving average of the last `period` inputs. The running sum is recomputed from the window every
 * `period` updates, so rounding does not accumulate over long runs.
 * @see https://github.com/TulipCharts/tulipindicators/blob/master/indicators/sma.c
 */
export class SMA implements Indicator<number> {
  readonly warmup: number;
  readonly #window: RingBuffer;
  #sum: number;
  #sinceRecompute: number;

  readonly period: number;

  constructor(period: number, snapshot?: JsonValue) {
    this.period = period;
    this.warmup = period;
    const state = snapshot as { values: number[]; sum: number; sinceRecompute: number } | undefined;
    this.#window = new RingBuffer(period, state?.values);
    this.#sum = state?.sum ?? 0;
    this.#sinceRecompute = state?.sinceRecompute ?? 0;
  }

  get isStable(): boolean {
    return this.#window.isFull;
  }

  get result(): number | null {
    return this.isStable ? this.#sum / this.period : null;
  }

  update(input: number): number | null {
    const evicted = this.#window.push(input);
    if (++this.#sinceRecompute >= this.period) {
      this.#sinceRecompute = 0;
      this.#sum = this.#window.toArray().reduce((a, b) => a + b, 0);
    } else {
      this.#sum += input - (evicted ?? 0);
    }
    return this.result;
  }

  snapshot(): JsonValue {
    return { values: this.#window.toArray(), sum: this.#sum, sinceRecompute: this.#sinceRecompute };
  }
}
