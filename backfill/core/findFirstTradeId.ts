/** A trade as far as the search needs it. */
export interface TradeMark {
  readonly id: number;
  readonly timeUs: number;
}

/** Trades per request of Coinbase Exchange's `/products/{id}/trades` (its maximum, and its default). */
export const TRADES_PER_REQUEST = 1000;

/**
 * The id of the first trade at or after `fromUs`, among ids up to `newestId`; null when there is none. Coinbase
 * Exchange pages trades only by id cursor, never by time, and its ids are consecutive per product and grow
 * with time, so this is a binary search: `probe(c)` asks for the one trade just below cursor `c` (`after=c&
 * limit=1`: the newest trade with id < c) and answers null when there is none. About 30 requests for a
 * billion trades.
 * @see backfill/COINBASE_REST.md §2
 */
export async function findFirstTradeId(probe: (afterCursor: number) => Promise<TradeMark | null>, newest: TradeMark, fromUs: number): Promise<number | null> {
  if (newest.timeUs < fromUs) return null;
  let [lo, hi] = [1, newest.id];
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const below = await probe(mid + 1);
    if (below === null || below.timeUs < fromUs) lo = (below === null ? mid : below.id) + 1;
    else hi = below.id;
  }
  return lo;
}

/**
 * The request of page `k` of a forward walk from trade `firstId`: `after` is the cursor (the page holds the
 * newest `TRADES_PER_REQUEST` trades below it, newest first), and the page's own trades are ids
 * [fromId, toId]. Only `after` is used: it returns the page just below the cursor, whereas `before` returns
 * the newest trades above it rather than the adjacent page (see COINBASE_REST.md §2). Pages do not depend
 * on each other, so several can be fetched in parallel.
 */
export function tradePage(firstId: number, k: number, newestId: number): { after: number; fromId: number; toId: number } | null {
  const fromId = firstId + k * TRADES_PER_REQUEST;
  if (fromId > newestId) return null;
  const toId = Math.min(newestId, fromId + TRADES_PER_REQUEST - 1);
  return { after: toId + 1, fromId, toId };
}
