import type postgres from 'postgres';

/**
 * postgres.js option `types` that keeps microseconds in timestamps the engine writes. postgres.js serializes
 * every timestamptz parameter through `new Date(x).toISOString()`, which cuts a microsecond ISO string
 * (`usToTimestamp`) to milliseconds; fills happen at trades' exchange times, which Coinbase gives in µs. A
 * string is passed through as it is (PostgreSQL parses it exactly); a Date as before. Values read are Dates,
 * as postgres.js gives them by default.
 */
export const EXACT_TIMESTAMPS = {
  date: {
    to: 1184,
    from: [1082, 1114, 1184],
    serialize: (x: unknown): string => (typeof x === 'string' ? x : (x instanceof Date ? x : new Date(x as number)).toISOString()),
    parse: (x: string): Date => new Date(x),
  },
} satisfies Record<string, postgres.PostgresType>;
