/**
 * Advanced Trade's candle granularities (the `granularity` query enum of Get Public Product Candles) and
 * their lengths in seconds, with the short names the CLI accepts.
 * @see backfill/COINBASE_REST.md §1
 */
export const GRANULARITIES = {
  ONE_MINUTE: 60,
  FIVE_MINUTE: 300,
  FIFTEEN_MINUTE: 900,
  THIRTY_MINUTE: 1800,
  ONE_HOUR: 3600,
  TWO_HOUR: 7200,
  SIX_HOUR: 21_600,
  ONE_DAY: 86_400,
} as const;

export type Granularity = keyof typeof GRANULARITIES;

const SHORT: Readonly<Record<string, Granularity>> = {
  '1m': 'ONE_MINUTE', '5m': 'FIVE_MINUTE', '15m': 'FIFTEEN_MINUTE', '30m': 'THIRTY_MINUTE',
  '1h': 'ONE_HOUR', '2h': 'TWO_HOUR', '6h': 'SIX_HOUR', '1d': 'ONE_DAY',
};

/** `1m` or `ONE_MINUTE` → `ONE_MINUTE`; null for anything Coinbase does not serve. */
export function parseGranularity(text: string): Granularity | null {
  if (Object.hasOwn(SHORT, text)) return SHORT[text] ?? null;
  return Object.hasOwn(GRANULARITIES, text) ? text as Granularity : null;
}

/** The granularity of a length in seconds, or null. */
export function granularityOfSeconds(seconds: number): Granularity | null {
  return (Object.keys(GRANULARITIES) as Granularity[]).find((g) => GRANULARITIES[g] === seconds) ?? null;
}

export const SHORT_GRANULARITIES = Object.keys(SHORT);
