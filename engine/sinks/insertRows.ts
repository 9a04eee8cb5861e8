import type { TransactionSql } from 'postgres';

/** Each column written and its PostgreSQL type as `format_type` names it (`double precision`, `timestamp with time zone`). */
export type ColumnTypes = Readonly<Record<string, string>>;

/** Rows per statement: one array per column is sent, so this bounds memory, not bind parameters. */
const ROWS_PER_STATEMENT = 20_000;
/** PostgreSQL's `text` type OID: every array is sent as `text[]`. */
const TEXT = 25;

/**
 * A value as an element of a text array, which PostgreSQL casts to the column's type: NaN and ±Infinity
 * as PostgreSQL spells them, −0 kept. (Left to postgres.js, an array's type would be inferred from its
 * first element, a boolean array's wrongly, and −0 written as 0.)
 */
function asText(value: unknown, table: string, column: string): string | null {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'boolean') return String(value);
  throw new TypeError(`${table}.${column}: cannot write ${value === undefined ? 'undefined' : typeof value}`);
}

/**
 * Inserts `rows` into `table`, skipping rows whose key is there already (a retried write is a no-op), as
 * `INSERT … SELECT * FROM unnest($1::type[], …) ON CONFLICT DO NOTHING`: one array parameter per column
 * instead of one parameter per value, which costs about a third of the client's CPU time and half the
 * server's per row of a multi-row VALUES list (`make bench`, history). Every column of `columns` must be in
 * every row (`TypeError` otherwise); timestamps are given as ISO 8601 strings, so microseconds are exact.
 */
export async function insertRows(tx: TransactionSql, table: string, columns: ColumnTypes, rows: readonly Record<string, unknown>[]): Promise<void> {
  const names = Object.keys(columns);
  const statement = `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')})
    SELECT * FROM unnest(${names.map((n, i) => `$${i + 1}::${columns[n]}[]`).join(', ')}) ON CONFLICT DO NOTHING`;
  for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(from, from + ROWS_PER_STATEMENT);
    const arrays = names.map((name) => tx.array(chunk.map((row) => asText(row[name], table, name)), TEXT));
    await tx.unsafe(statement, arrays);
  }
}
