import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../testing/db/createTestSchema.js';
import { insertRows } from './insertRows.js';
import { RESULT_COLUMNS } from './resultRows.js';

describe('insertRows (engine_writer, real PostgreSQL)', () => {
  const services = inject('services');
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema(services.migrationDatabaseUrl, services.databaseUrl);
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('writes every column of each result table, with the type the migrations gave it', async () => {
    for (const [table, columns] of Object.entries(RESULT_COLUMNS)) {
      const catalog = await schema.sql<{ name: string; type: string }[]>`
        SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass(${table}) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`;
      expect(Object.fromEntries(catalog.map((c) => [c.name, c.type])), table).toEqual(columns);
    }
  });

  it('keeps NaN, ±Infinity, NULL, microseconds and any text exactly, and skips a row whose key is there already', async () => {
    const instance = { run_id: 'r', strategy_id: 's', params_key: 'fast=2,slow=3', product_id: 'BTC-USD', interval_s: 60 };
    const fill = {
      ...instance, time: '2026-01-02T03:04:05.123456Z', seq: 0, side: 'buy', quantity: 0.1 + 0.2, price: 1e-7, fee: Number.MAX_VALUE,
      realized_pnl: null, position_after: -0, signal_time: null, liquidation: false,
    };
    const closing = { ...fill, seq: 1, side: 'sell', realized_pnl: -12.5, signal_time: '2026-01-02T03:04:00.000001Z', liquidation: true };
    await schema.sql.begin((tx) => insertRows(tx, 'trades', RESULT_COLUMNS.trades, [fill, closing]));
    // The same key again, with other values: a retried write is a no-op, never an overwrite.
    await schema.sql.begin((tx) => insertRows(tx, 'trades', RESULT_COLUMNS.trades, [{ ...fill, price: 99 }]));
    const trades = await schema.sql`
      SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS time, seq, side, quantity, price, fee, realized_pnl, position_after,
             to_char(signal_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS signal_time, liquidation
      FROM trades ORDER BY seq`;
    expect(trades.map((r) => ({ ...r }))).toEqual([
      { time: '2026-01-02 03:04:05.123456', seq: 0, side: 'buy', quantity: 0.30000000000000004, price: 1e-7, fee: Number.MAX_VALUE, realized_pnl: null, position_after: -0, signal_time: null, liquidation: false },
      { time: '2026-01-02 03:04:05.123456', seq: 1, side: 'sell', quantity: 0.30000000000000004, price: 1e-7, fee: Number.MAX_VALUE, realized_pnl: -12.5, position_after: -0, signal_time: '2026-01-02 03:04:00.000001', liquidation: true },
    ]);

    const reason = 'fast "SMA" {2} crossed, slow\\3\n→ long; NULL';
    await schema.sql.begin((tx) => insertRows(tx, 'signals', RESULT_COLUMNS.signals, [{ ...instance, time: '2026-01-02T03:04:00Z', target: 'long', reason, price: 10 }]));
    expect(await schema.sql`SELECT reason FROM signals`).toEqual([{ reason }]);

    const stats = { window_bars: 0, equity: 10_000, position: 0, bar_return: 0, bars: 1, annual_volatility: 0, max_drawdown: 0, win_rate: Number.NaN, trade_count: 0 };
    await schema.sql.begin((tx) => insertRows(tx, 'strategy_metrics', RESULT_COLUMNS.strategy_metrics, [
      { ...instance, ...stats, time: '2026-01-02T03:05:00Z', cumulative_return: 0, sharpe: Number.NaN, sortino: Number.POSITIVE_INFINITY },
      { ...instance, ...stats, time: '2026-01-02T03:06:00Z', cumulative_return: -1, sharpe: Number.NEGATIVE_INFINITY, sortino: Number.NaN },
    ]));
    const metrics = await schema.sql`SELECT sharpe, sortino, win_rate, cumulative_return FROM strategy_metrics ORDER BY time`;
    expect(metrics.map((r) => ({ ...r }))).toEqual([
      { sharpe: Number.NaN, sortino: Number.POSITIVE_INFINITY, win_rate: Number.NaN, cumulative_return: 0 },
      { sharpe: Number.NEGATIVE_INFINITY, sortino: Number.NaN, win_rate: Number.NaN, cumulative_return: -1 },
    ]);
  });

  it('refuses a row without one of the columns, naming it, and writes nothing of the batch', async () => {
    const bar = {
      run_id: 'r', product_id: 'ETH-USD', interval_s: 60, bucket: '2026-01-02T03:04:00Z', open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, vwap: 1.2, trade_count: 4, complete: true,
    };
    const { complete: _, ...incomplete } = bar;
    await expect(schema.sql.begin((tx) => insertRows(tx, 'bars', RESULT_COLUMNS.bars, [bar, incomplete]))).rejects.toThrow('bars.complete: cannot write undefined');
    expect(await schema.sql`SELECT count(*)::int AS n FROM bars WHERE product_id = 'ETH-USD'`).toEqual([{ n: 0 }]);
  });
});
