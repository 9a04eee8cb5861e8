/**
 * The most candle intervals one request spans. Coinbase documents 350 candles per request on Advanced Trade
 * and answers more with `400 INVALID_ARGUMENT "number of candles requested should be less than 350"`;
 * reports differ on whether `end` is inclusive and whether exactly 350 passes. A span of 348 intervals
 * counts at most 349 candles in every reading, and each window ignores a candle starting exactly at its
 * `end` (the next window, which starts there, takes it), so no candle is fetched twice or missed.
 * @see backfill/COINBASE_REST.md §1
 */
export const CANDLES_PER_REQUEST = 348;

/** One candles request: `start` and `end` query values (UNIX seconds); it yields the candles starting in [startS, endS). */
export interface CandleWindow {
  readonly startS: number;
  readonly endS: number;
}

/**
 * The requests that load every `granularityS` candle starting in [fromS, toS), oldest first (the order they
 * are written in): `fromS` rounded up and `toS` rounded down to the granularity (Coinbase aligns candles to
 * the Unix epoch), at most {@link CANDLES_PER_REQUEST} intervals each.
 */
export function planCandleWindows(fromS: number, toS: number, granularityS: number, perRequest = CANDLES_PER_REQUEST): CandleWindow[] {
  const start = Math.ceil(fromS / granularityS) * granularityS;
  const end = Math.floor(toS / granularityS) * granularityS;
  const windows: CandleWindow[] = [];
  for (let s = start; s < end; s += perRequest * granularityS) {
    windows.push({ startS: s, endS: Math.min(end, s + perRequest * granularityS) });
  }
  return windows;
}
