import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readMigrations, runMigrations, SUPERSEDED_CHECKSUMS } from './runMigrations.js';

const silent = pino({ level: 'silent' });
const PRELOAD_ERROR = 'must be superuser or have privileges of pg_read_all_settings to examine "shared_preload_libraries"';

describe('the migrations wherever the database is', () => {
  const services = inject('services');
  const schemas: string[] = [];
  const clients: Sql[] = [];
  const admin = postgres(services.migrationDatabaseUrl, { max: 1, onnotice: () => undefined });

  /** A client of `url` whose search path is `path`, collecting the server's notices. */
  function connect(url: string, path: string, notices: string[] = []): Sql {
    const sql = postgres(url, { max: 1, onnotice: (n) => { notices.push(String(n.message)); }, connection: { search_path: path } });
    clients.push(sql);
    return sql;
  }

  async function freshSchema(): Promise<string> {
    const schema = `it_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await admin`CREATE SCHEMA ${admin(schema)}`;
    schemas.push(schema);
    return schema;
  }

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    for (const schema of schemas) await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
    await admin.end();
  });

  it('migrates as the schema owner when TimescaleDB is installed but not preloaded (simulated on plain PostgreSQL), and creates it when preloaded', async () => {
    const [installed] = await admin<{ really: boolean }[]>`
      SELECT EXISTS (SELECT FROM pg_catalog.pg_available_extensions WHERE name = 'timescaledb') AS really`;
    const schema = await freshSchema();
    const notices: string[] = [];
    if (installed?.really === true) {
      // A TimescaleDB server (the test containers preload it): the real extension, hypertables and aggregate.
      const owner = connect(services.migrationDatabaseUrl, `${schema}, public`, notices);
      await runMigrations(owner, silent);
      const [kind] = await owner<{ hypertables: number }[]>`
        SELECT count(*)::int AS hypertables FROM timescaledb_information.hypertables WHERE hypertable_schema = ${schema}`;
      expect(kind?.hypertables).toBe(4);
      return;
    }
    // Plain PostgreSQL: a catalog in which TimescaleDB is installed (its control file present) while the loader is
    // not preloaded, which is all that SQL can see of such a server: pg_available_extensions lists timescaledb,
    // no timescaledb.* setting is defined, shared_preload_libraries cannot be examined by the owner. The stub view
    // comes before pg_catalog in this connection's search path only.
    const stub = await freshSchema();
    await admin.unsafe(`CREATE VIEW ${stub}.pg_available_extensions AS
      SELECT name, default_version, installed_version, comment FROM pg_catalog.pg_available_extensions
      UNION ALL SELECT 'timescaledb', '2.19.3', NULL, 'Enables scalable inserts and complex queries for time-series data'`);
    const owner = connect(services.migrationDatabaseUrl, `${schema}, ${stub}, pg_catalog, public`, notices);
    await expect(owner`SELECT current_setting('shared_preload_libraries', true)`, 'what the old 0002 failed on')
      .rejects.toThrow(PRELOAD_ERROR);
    expect(await owner`SELECT name FROM pg_available_extensions WHERE name = 'timescaledb'`).toHaveLength(1);

    expect(await runMigrations(owner, silent)).toEqual(readMigrations().map((m) => `${m.version}_${m.name}`));
    expect(notices).toContain('timescaledb is installed but not in shared_preload_libraries: plain PostgreSQL tables');
    const relations = await owner<{ relname: string; relkind: string }[]>`
      SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relname IN ('bars', 'signals', 'trades', 'strategy_metrics', 'strategy_metrics_hourly')
      ORDER BY c.relname`;
    expect(relations).toEqual([
      { relname: 'bars', relkind: 'r' }, { relname: 'signals', relkind: 'r' }, { relname: 'strategy_metrics', relkind: 'r' },
      { relname: 'strategy_metrics_hourly', relkind: 'v' }, { relname: 'trades', relkind: 'r' },
    ]);
    expect(await owner`SELECT FROM pg_extension WHERE extname = 'timescaledb'`).toHaveLength(0);
  });

  it('shows rows written late for an old range (a replay 12 days back) in the hourly aggregate', async () => {
    const schema = await freshSchema();
    await runMigrations(connect(services.migrationDatabaseUrl, `${schema}, public`), silent);
    const engine = connect(services.databaseUrl, `${schema}, public`);
    const reader = connect(services.readerDatabaseUrl ?? services.migrationDatabaseUrl, `${schema}, public`);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 12 * 86_400_000;
    const at = (minutes: number) => new Date(hour + minutes * 60_000);
    // Rows for the live run exist up to now; the replay then writes its old range.
    const row = (runId: string, time: Date, equity: number, drawdown: number) => ({
      run_id: runId, strategy_id: 'sma_cross', params_key: 'fast=5,slow=20', product_id: 'BTC-USD', interval_s: 60,
      window_bars: 0, time, equity, position: 0, bar_return: 0, bars: 1, cumulative_return: 0, annual_volatility: 0,
      sharpe: 0, sortino: 0, max_drawdown: drawdown, win_rate: 0, trade_count: 3,
    });
    await engine`INSERT INTO strategy_metrics ${engine([row('live', new Date(), 10_000, 0)])}`;
    await engine`INSERT INTO strategy_metrics ${engine([
      row('replay-old', at(1), 10_010, -0.01), row('replay-old', at(30), 10_020, -0.03), row('replay-old', at(59), 10_030, -0.02),
      row('replay-old', at(61), 10_040, -0.01), row('replay-old', at(119), 10_050, -0.05),
    ])}`;
    const hourly = await reader<{ bucket: Date; equity: number; max_drawdown: number; bars: string }[]>`
      SELECT bucket, equity, max_drawdown, bars FROM strategy_metrics_hourly WHERE run_id = 'replay-old' ORDER BY bucket`;
    expect(hourly).toEqual([
      { bucket: at(0), equity: 10_030, max_drawdown: -0.03, bars: '3' },
      { bucket: at(60), equity: 10_050, max_drawdown: -0.05, bars: '2' },
    ]);
  });

  it('accepts a database that applied the earlier text of a corrected migration, and records the current one', async () => {
    const schema = await freshSchema();
    const owner = connect(services.migrationDatabaseUrl, `${schema}, public`);
    await runMigrations(owner, silent);
    const old = SUPERSEDED_CHECKSUMS['0002']?.[0] ?? '';
    await owner`UPDATE schema_migrations SET checksum = ${old} WHERE version = '0002'`;
    expect(await runMigrations(owner, silent)).toEqual([]);
    const [recorded] = await owner<{ checksum: string }[]>`SELECT checksum FROM schema_migrations WHERE version = '0002'`;
    expect(recorded?.checksum).toBe(readMigrations().find((m) => m.version === '0002')?.checksum);
    await owner`UPDATE schema_migrations SET checksum = ${'0'.repeat(64)} WHERE version = '0002'`;
    await expect(runMigrations(owner, silent), 'any other change is still refused').rejects.toThrow('was changed after it was applied');
  });
});
