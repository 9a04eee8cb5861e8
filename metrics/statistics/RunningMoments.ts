import type { JsonValue } from '../../strategies/Strategy.js';
import { ExactSums } from './ExactSums.js';

/** Mean, sample standard deviation and downside deviation of every value added so far, exactly, O(1) per value. */
export class RunningMoments {
  readonly #sums: ExactSums;

  constructor(mar: number, snapshot?: JsonValue) {
    this.#sums = new ExactSums(mar, snapshot as string[] | undefined);
  }

  get count(): number {
    return this.#sums.count;
  }

  get mean(): number {
    return this.#sums.mean();
  }

  get std(): number {
    return this.#sums.std();
  }

  get downsideDeviation(): number {
    return this.#sums.downsideDeviation();
  }

  add(x: number): void {
    this.#sums.add(x);
  }

  snapshot(): JsonValue {
    return this.#sums.snapshot();
  }
}
