/**
 * Remembers the most recent `capacity` trade ids of each product, so that trades repeated across a
 * reconnect (the subscription snapshot replays recent trades) are published once. Memory is bounded:
 * capacity × products ids.
 */
export class TradeDeduplicator {
  readonly #capacity: number;
  readonly #products = new Map<string, { readonly seen: Set<string>; readonly ring: string[]; next: number }>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  has(productId: string, tradeId: string): boolean {
    return this.#products.get(productId)?.seen.has(tradeId) ?? false;
  }

  /** Remembers a trade id, forgetting the product's oldest one once the window is full. */
  add(productId: string, tradeId: string): void {
    let product = this.#products.get(productId);
    if (product === undefined) {
      product = { seen: new Set(), ring: [], next: 0 };
      this.#products.set(productId, product);
    }
    if (product.seen.has(tradeId)) return;
    if (product.ring.length < this.#capacity) {
      product.ring.push(tradeId);
    } else {
      product.seen.delete(product.ring[product.next] as string);
      product.ring[product.next] = tradeId;
      product.next = (product.next + 1) % this.#capacity;
    }
    product.seen.add(tradeId);
  }
}
