import type { JsonValue } from '../Strategy.js';

/** The last `capacity` numbers, oldest first, in a fixed typed array: the building block of windowed state. */
export class RingBuffer {
  readonly capacity: number;
  readonly #values: Float64Array;
  #start = 0;
  #length = 0;

  constructor(capacity: number, values: readonly number[] = []) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#values = new Float64Array(capacity);
    for (const value of values.slice(-capacity)) this.push(value);
  }

  get length(): number {
    return this.#length;
  }

  get isFull(): boolean {
    return this.#length === this.capacity;
  }

  /** Appends a value and returns the one it pushed out, if the buffer was full. */
  push(value: number): number | undefined {
    if (this.#length < this.capacity) {
      this.#values[(this.#start + this.#length) % this.capacity] = value;
      this.#length += 1;
      return undefined;
    }
    const evicted = this.#values[this.#start];
    this.#values[this.#start] = value;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }

  /** The i-th oldest value. */
  at(i: number): number {
    return this.#values[(this.#start + i) % this.capacity] as number;
  }

  /** Oldest first. */
  toArray(): number[] {
    return Array.from({ length: this.#length }, (_, i) => this.at(i));
  }

  snapshot(): JsonValue {
    return this.toArray();
  }
}
