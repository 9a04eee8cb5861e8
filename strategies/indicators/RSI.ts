import type { JsonValue } from '../Strategy.js';
import type { Indicator } from './Indicator.js';

/**
 * Relative Strength Index with Wilder's smoothing (1 / period), seeded with the simple averages of the first
 * `period` gains and losses; defined after `period + 1` inputs. 100 · gain / (gain + loss), and 50 when the
 * price did not move at all in the smoothing (neither gains nor losses), where the formula is 0 / 0.
 * @see https://github.com/TulipCharts/tulipindicators/blob/master/indicators/rsi.c
 */
export class RSI implements Indicator<number> {
  readonly warmup: number;
  #previous: number | null;
  #gain: number;
  #loss: number;
  #count: number;

  readonly period: number;

  constructor(period: number, snapshot?: JsonValue) {
    this.period = period;
    this.warmup = period + 1;
    const state = snapshot as { previous: number | null; gain: number; loss: number; count: number } | undefined;
    this.#previous = state?.previous ?? null;
    this.#gain = state?.gain ?? 0;
    this.#loss = state?.loss ?? 0;
    this.#count = state?.count ?? 0;
  }

  get isStable(): boolean {
    return this.#count >= this.warmup;
  }

  get result(): number | null {
    if (!this.isStable) return null;
    const total = this.#gain + this.#loss;
    return total === 0 ? 50 : (100 * this.#gain) / total;
  }

  update(input: number): number | null {
    const previous = this.#previous;
    this.#previous = input;
    this.#count += 1;
    if (previous === null) return null;
    const up = Math.max(input - previous, 0);
    const down = Math.max(previous - input, 0);
    if (this.#count <= this.period) {
      // Seeding: accumulate the first `period` changes.
      this.#gain += up;
      this.#loss += down;
    } else if (this.#count === this.period + 1) {
      this.#gain = (this.#gain + up) / this.period;
      this.#loss = (this.#loss + down) / this.period;
    } else {
      this.#gain = (up - this.#gain) / this.period + this.#gain;
      this.#loss = (down - this.#loss) / this.period + this.#loss;
    }
    return this.result;
  }

  snapshot(): JsonValue {
    return { previous: this.#previous, gain: this.#gain, loss: this.#loss, count: this.#count };
  }
}
