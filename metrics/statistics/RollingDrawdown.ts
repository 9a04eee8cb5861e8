import type { JsonValue } from '../../strategies/Strategy.js';

/** Levels per block of the previous lap's suffix aggregates. */
const BLOCK = 32;

/**
 * Maximum drawdown over the last `size` returns. It keeps the window's `size + 1` equity levels (the level
 * before its first return is the base) in a ring, and combines segments in time order with
 * `worst = min(left.worst, right.worst, right.min / left.max)`: every candidate is one division of two actual
 * levels, so the result is the exact minimum of trough/peak over the window whatever the grouping, and a
 * restored instance agrees bit for bit. As a queue built from two stacks, the window is the suffix of the
 * ring's previous lap followed by the current lap: the current lap keeps a running aggregate (O(1) per
 * level), the previous lap keeps suffix aggregates per block of 32 levels (recomputed once per lap), and a
 * query walks at most one partial block: O(1) per bar (≤ 32 steps), about 1.1 numbers of memory per bar of
 * window. Levels are rescaled by powers of two (exactly) when they drift towards the limits of floating point.
 */
export class RollingDrawdown {
  readonly size: number;
  readonly #capacity: number;
  readonly #levels: Float64Array;
  /** Aggregates of the previous lap from the start of each block to the end of the ring. */
  readonly #suffixMax: Float64Array;
  readonly #suffixMin: Float64Array;
  readonly #suffixWorst: Float64Array;
  #next = 0;
  #count = 0;
  #level = 1;
  /** Aggregate of the current lap: positions [0, next). */
  #lapMax = 0;
  #lapMin = 0;
  #lapWorst = 1;

  constructor(size: number, snapshot?: JsonValue) {
    this.size = size;
    this.#capacity = size + 1;
    this.#levels = new Float64Array(this.#capacity);
    const blocks = Math.ceil(this.#capacity / BLOCK);
    this.#suffixMax = new Float64Array(blocks);
    this.#suffixMin = new Float64Array(blocks);
    this.#suffixWorst = new Float64Array(blocks);
    const s = snapshot as { levels: number[]; level: number } | undefined;
    if (s === undefined) {
      this.#push(1);
    } else {
      for (const level of s.levels) this.#push(level);
      this.#level = s.level;
    }
  }

  /** Returns in the window. */
  get count(): number {
    return this.#count - 1;
  }

  /** ∏(1 + r) − 1 over the window's returns: its newest level over its base level; NaN before the first return. */
  get cumulativeReturn(): number {
    if (this.count === 0) return Number.NaN;
    return this.#level / (this.#levels[this.#count < this.#capacity ? 0 : this.#next] as number) - 1;
  }

  /** The window's maximum drawdown as a fraction ≤ 0; NaN before the first return. */
  get maxDrawdown(): number {
    if (this.count === 0) return Number.NaN;
    return this.#query() - 1;
  }

  add(r: number): void {
    this.#level *= 1 + r;
    // A level of 0 (a −100 % return) stays 0 and needs no rescaling.
    if (this.#level > 0 && Math.abs(Math.log2(this.#level)) > 800) this.#rescale();
    this.#push(this.#level);
  }

  snapshot(): JsonValue {
    return { levels: this.#ordered(), level: this.#level };
  }

  #push(level: number): void {
    this.#levels[this.#next] = level;
    if (this.#next === 0) {
      [this.#lapMax, this.#lapMin, this.#lapWorst] = [level, level, 1];
    } else {
      this.#lapWorst = Math.min(this.#lapWorst, level / this.#lapMax);
      if (level > this.#lapMax) this.#lapMax = level;
      if (level < this.#lapMin) this.#lapMin = level;
    }
    this.#next += 1;
    this.#count = Math.min(this.#count + 1, this.#capacity);
    if (this.#next === this.#capacity) {
      this.#next = 0;
      this.#computeSuffixes();
    }
  }

  /** A lap just completed: its suffix aggregates per block, from the end of the ring backwards. */
  #computeSuffixes(): void {
    let max = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    let worst = 1;
    for (let b = this.#suffixMax.length - 1; b >= 0; b--) {
      const end = Math.min((b + 1) * BLOCK, this.#capacity);
      for (let i = end - 1; i >= b * BLOCK; i--) {
        // Prepend level i (earlier in time) to the aggregate of what follows it.
        const level = this.#levels[i] as number;
        if (max !== Number.NEGATIVE_INFINITY) worst = Math.min(worst, min / level);
        if (level > max) max = level;
        if (level < min) min = level;
      }
      this.#suffixMax[b] = max;
      this.#suffixMin[b] = min;
      this.#suffixWorst[b] = worst;
    }
  }

  /** The window's worst trough/peak ratio: the previous lap's suffix from `next`, then the current lap. */
  #query(): number {
    if (this.#count < this.#capacity) return this.#lapWorst;
    if (this.#next === 0) return this.#suffixWorst[0] as number;
    // The partial block of the previous lap, level by level, then the whole blocks after it.
    const block = Math.floor(this.#next / BLOCK);
    const end = Math.min((block + 1) * BLOCK, this.#capacity);
    let max = this.#levels[this.#next] as number;
    let min = max;
    let worst = 1;
    for (let i = this.#next + 1; i < end; i++) {
      const level = this.#levels[i] as number;
      worst = Math.min(worst, level / max);
      if (level > max) max = level;
      if (level < min) min = level;
    }
    if (block + 1 < this.#suffixMax.length) {
      worst = Math.min(worst, this.#suffixWorst[block + 1] as number, (this.#suffixMin[block + 1] as number) / max);
      max = Math.max(max, this.#suffixMax[block + 1] as number);
    }
    return Math.min(worst, this.#lapWorst, this.#lapMin / max);
  }

  /** Oldest first. */
  #ordered(): number[] {
    const start = this.#count < this.#capacity ? 0 : this.#next;
    return Array.from({ length: this.#count }, (_, k) => this.#levels[(start + k) % this.#capacity] as number);
  }

  /** Rebuilds with every level multiplied by a power of two, which changes no ratio. */
  #rescale(): void {
    const factor = 2 ** -Math.round(Math.log2(this.#level));
    const levels = this.#ordered().map((level) => level * factor);
    this.#level *= factor;
    this.#next = 0;
    this.#count = 0;
    for (const level of levels) this.#push(level);
  }
}
