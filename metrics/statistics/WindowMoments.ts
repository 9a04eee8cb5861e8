import type { JsonValue } from '../../strategies/Strategy.js';
import { RingBuffer } from '../../strategies/indicators/RingBuffer.js';
import { ExactSums } from './ExactSums.js';

/** Mean, sample standard deviation and downside deviation of the last `size` values, exactly, O(1) per value. */
export class WindowMoments {
  readonly size: number;
  readonly #window: RingBuffer;
  readonly #sums: ExactSums;

  constructor(size: number, mar: number, snapshot?: JsonValue) {
    this.size = size;
    const s = snapshot as { values: number[]; sums: string[] } | undefined;
    this.#window = new RingBuffer(size, s?.values ?? []);
    this.#sums = new ExactSums(mar, s?.sums);
  }

  get count(): number {
    return this.#window.length;
  }

  get mean(): number {
    return this.#sums.mean();
  }

  meanExcess(c: number): number {
    return this.#sums.meanExcess(c);
  }

  get std(): number {
    return this.#sums.std();
  }

  get downsideDeviation(): number {
    return this.#sums.downsideDeviation();
  }

  add(x: number): void {
    const evicted = this.#window.push(x);
    this.#sums.add(x);
    if (evicted !== undefined) this.#sums.remove(evicted);
  }

  snapshot(): JsonValue {
    return { values: this.#window.toArray(), sums: this.#sums.snapshot() };
  }
}
