/**
 * A FIFO bounded by the bytes of its items, between a producer that must never wait (the WebSocket handler)
 * and a consumer that may (the Kafka sender). Items stay counted until the consumer removes them after use,
 * so the bound covers records in flight too.
 */
export class BoundedQueue<T> {
  readonly maxBytes: number;
  #items: { item: T; bytes: number }[] = [];
  #head = 0;
  #bytes = 0;
  #waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Appends an item unless it would take the queue past its bound; returns whether it was taken. An empty
   * queue takes any item, so one large item cannot block the queue forever.
   */
  offer(item: T, bytes: number): boolean {
    if (this.length > 0 && this.#bytes + bytes > this.maxBytes) return false;
    this.#items.push({ item, bytes });
    this.#bytes += bytes;
    this.#notify();
    return true;
  }

  /** The oldest items whose bytes fit in `maxBytes` (always at least one item when not empty), not removed. */
  peek(maxBytes: number, maxItems = Number.POSITIVE_INFINITY): T[] {
    const batch: T[] = [];
    let bytes = 0;
    for (let i = this.#head; i < this.#items.length && batch.length < maxItems; i++) {
      const entry = this.#items[i] as { item: T; bytes: number };
      if (batch.length > 0 && bytes + entry.bytes > maxBytes) break;
      batch.push(entry.item);
      bytes += entry.bytes;
    }
    return batch;
  }

  /** Removes the `count` oldest items. */
  remove(count: number): void {
    const end = Math.min(this.#head + count, this.#items.length);
    for (let i = this.#head; i < end; i++) this.#bytes -= (this.#items[i] as { bytes: number }).bytes;
    this.#head = end;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#notify();
  }

  /** Resolves once the queue holds at least one item. */
  whenNotEmpty(): Promise<void> {
    return this.#when(() => this.length > 0);
  }

  /** Resolves once the queue is at most `fraction` full (by bytes). */
  whenBelow(fraction: number): Promise<void> {
    return this.#when(() => this.#bytes <= this.maxBytes * fraction);
  }

  /** Resolves once every item has been removed. */
  whenEmpty(): Promise<void> {
    return this.#when(() => this.length === 0);
  }

  #when(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  #notify(): void {
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.test()) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
}
