import type { JsonValue } from '../Strategy.js';

/** The last `capacity` numbers, oldest first; the building block of windowed indicators. */
export class RingBuffer {
  readonly capacity: number;
  #values: number[];
  #start = 0;

  constructor(capacity: number, values: readonly number[] = []) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#values = values.slice(-capacity);
  }

  get length(): number {
    return this.#values.length;
  }

  get isFull(): boolean {
    return this.#values.length === this.capacity;
  }

  /** Appends a value and returns the one it pushed out, if the buffer was full. */
  push(value: number): number | undefined {
    if (this.#values.length < this.capacity) {
      this.#values.push(value);
      return undefined;
    }
    const evicted = this.#values[this.#start];
    this.#values[this.#start] = value;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }

  /** The i-th oldest value. */
  at(i: number): number {
    return this.#values[(this.#start + i) % this.#values.length] as number;
  }

  /** Oldest first. */
  toArray(): number[] {
    return [...this.#values.slice(this.#start), ...this.#values.slice(0, this.#start)];
  }

  snapshot(): JsonValue {
    return this.toArray();
  }
}
