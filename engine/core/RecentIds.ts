/**
 * The last `capacity` ids seen, in arrival order: a bounded memory for dropping repeats (a trade delivered
 * twice, e.g. again in a subscription snapshot after a reconnect). An id older than the window is forgotten.
 *
 * On the hot path (one call per trade): exchange trade ids are decimal and mostly increasing, so an id above
 * every id in the window is new without a lookup; only an id at or below the largest one is looked up, by a
 * scan of the window. Ids are compared as numbers when they are canonical decimals of at most 15 digits
 * (exact in a double), as strings otherwise.
 */
export class RecentIds {
  readonly #capacity: number;
  /** The window, a ring in arrival order: numeric ids, or NaN where the id is only in `#texts`. */
  readonly #numbers: Float64Array;
  readonly #texts: (string | undefined)[];
  #size = 0;
  #next = 0;
  #max = Number.NEGATIVE_INFINITY;

  /** `ids`: a snapshot, oldest first. */
  constructor(capacity: number, ids: readonly string[] = []) {
    this.#capacity = capacity;
    this.#numbers = new Float64Array(capacity);
    this.#texts = new Array<string | undefined>(capacity);
    for (const id of ids.slice(-capacity)) this.#push(id, asNumber(id));
  }

  /** Adds an id; false when it is already in the window. */
  add(id: string): boolean {
    const n = asNumber(id);
    if (!(n > this.#max) && this.#has(id, n)) return false;
    this.#push(id, n);
    return true;
  }

  /** The ids, oldest first. */
  snapshot(): string[] {
    const ids: string[] = [];
    const start = this.#size < this.#capacity ? 0 : this.#next;
    for (let i = 0; i < this.#size; i++) {
      const at = (start + i) % this.#capacity;
      const n = this.#numbers[at] as number;
      ids.push(Number.isNaN(n) ? (this.#texts[at] as string) : String(n));
    }
    return ids;
  }

  #has(id: string, n: number): boolean {
    for (let i = 0; i < this.#size; i++) {
      if (Number.isNaN(n) ? this.#texts[i] === id : this.#numbers[i] === n) return true;
    }
    return false;
  }

  #push(id: string, n: number): void {
    const at = this.#next;
    const evicted = this.#size === this.#capacity ? (this.#numbers[at] as number) : Number.NaN;
    this.#numbers[at] = n;
    this.#texts[at] = Number.isNaN(n) ? id : undefined;
    this.#next = (at + 1) % this.#capacity;
    if (this.#size < this.#capacity) this.#size++;
    if (n > this.#max) {
      this.#max = n;
    } else if (evicted === this.#max) {
      // The largest id left the window: the next largest is the new bound (rare: ids mostly increase).
      this.#max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < this.#size; i++) if ((this.#numbers[i] as number) > this.#max) this.#max = this.#numbers[i] as number;
    }
  }
}

/** The id as a number when that is exact and canonical (so that the number stands for one id), else NaN. */
function asNumber(id: string): number {
  if (id.length === 0 || id.length > 15 || (id.length > 1 && id.charCodeAt(0) === 48)) return Number.NaN;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
  }
  return Number(id);
}
