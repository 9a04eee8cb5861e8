import type { JsonValue } from '../../strategies/Strategy.js';

interface Node {
  max: number;
  min: number;
  /** The worst trough / preceding peak within the segment (1: no drawdown). */
  worst: number;
}

const EMPTY: Node = { max: Number.NEGATIVE_INFINITY, min: Number.POSITIVE_INFINITY, worst: 1 };

/** Segments in time order: the right one's trough may follow the left one's peak. */
function combine(left: Node, right: Node): Node {
  if (left === EMPTY) return right;
  if (right === EMPTY) return left;
  return {
    max: Math.max(left.max, right.max),
    min: Math.min(left.min, right.min),
    worst: Math.min(left.worst, right.worst, right.min / left.max),
  };
}

/**
 * Maximum drawdown over the last `size` returns, O(log size) per return. It keeps the `size + 1` equity levels
 * of the window (the level before its first return is the base) in a segment tree over a ring; a node holds
 * its segment's highest and lowest level and worst drawdown, and two segments combine in time order. Levels
 * are rescaled when they drift towards the limits of floating point; ratios are unaffected.
 */
export class RollingDrawdown {
  readonly size: number;
  readonly #capacity: number;
  readonly #tree: Node[];
  /** Levels in arrival order, oldest first, by ring position. */
  readonly #levels: number[];
  #next = 0;
  #count = 0;
  #level = 1;

  constructor(size: number, snapshot?: JsonValue) {
    this.size = size;
    this.#capacity = size + 1;
    this.#tree = new Array<Node>(2 * this.#capacity).fill(EMPTY);
    this.#levels = [];
    const levels = (snapshot as { levels: number[]; level: number } | undefined);
    if (levels === undefined) {
      this.#push(1);
    } else {
      for (const level of levels.levels) this.#push(level);
      this.#level = levels.level;
    }
  }

  /** Returns in the window. */
  get count(): number {
    return this.#count - 1;
  }

  /** ∏(1 + r) − 1 over the window's returns: its newest level over its base level; NaN before the first return. */
  get cumulativeReturn(): number {
    if (this.count === 0) return Number.NaN;
    const start = this.#count < this.#capacity ? 0 : this.#next;
    return this.#level / (this.#levels[start] as number) - 1;
  }

  /** The window's maximum drawdown as a fraction ≤ 0; NaN before the first return. */
  get maxDrawdown(): number {
    if (this.count === 0) return Number.NaN;
    return this.#query().worst - 1;
  }

  add(r: number): void {
    this.#level *= 1 + r;
    // A level of 0 (a −100 % return) stays 0 and needs no rescaling.
    if (this.#level > 0 && Math.abs(Math.log(this.#level)) > 600) this.#rescale();
    this.#push(this.#level);
  }

  snapshot(): JsonValue {
    return { levels: this.#ordered(), level: this.#level };
  }

  #push(level: number): void {
    const position = this.#next;
    this.#levels[position] = level;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#count = Math.min(this.#count + 1, this.#capacity);
    let i = position + this.#capacity;
    this.#tree[i] = { max: level, min: level, worst: 1 };
    for (i >>= 1; i >= 1; i >>= 1) this.#tree[i] = combine(this.#tree[2 * i] as Node, this.#tree[2 * i + 1] as Node);
  }

  /** Oldest first. */
  #ordered(): number[] {
    const start = this.#count < this.#capacity ? 0 : this.#next;
    return Array.from({ length: this.#count }, (_, k) => this.#levels[(start + k) % this.#capacity] as number);
  }

  /** The window, combined in time order: a wrapped ring is two index ranges. */
  #query(): Node {
    if (this.#count < this.#capacity) return this.#range(0, this.#count - 1);
    if (this.#next === 0) return this.#range(0, this.#capacity - 1);
    return combine(this.#range(this.#next, this.#capacity - 1), this.#range(0, this.#next - 1));
  }

  /** Bottom-up range query over positions [from, to], combining left parts and right parts in order. */
  #range(from: number, to: number): Node {
    let left = EMPTY;
    let right = EMPTY;
    let l = from + this.#capacity;
    let r = to + this.#capacity + 1;
    while (l < r) {
      if (l & 1) left = combine(left, this.#tree[l++] as Node);
      if (r & 1) right = combine(this.#tree[--r] as Node, right);
      l >>= 1;
      r >>= 1;
    }
    return combine(left, right);
  }

  #rescale(): void {
    const levels = this.#ordered().map((level) => level / this.#level);
    this.#level = 1;
    this.#tree.fill(EMPTY);
    this.#next = 0;
    this.#count = 0;
    for (const level of levels) this.#push(level);
  }
}
