-- With TimescaleDB: hypertables, compression, retention, and a real-time continuous aggregate of hourly
-- metrics. Without it: the same tables, and a plain view with the same name and columns, so that every
-- query works on both. Timescale calls go through EXECUTE, so plain PostgreSQL never has to resolve them.
--
-- Policies (change them with remove_*_policy / add_*_policy):
--   compression after 7 days (bars, strategy_metrics); retention 365 days (bars, strategy_metrics);
--   signals and trades are small and kept.
--
-- Which case applies is decided without reading shared_preload_libraries, which only superusers and members of
-- pg_read_all_settings may examine (the schema owner is neither). TimescaleDB's loader, when the server preloads
-- it, defines the setting timescaledb.disable_load; pg_settings, readable by every role, lists a setting only
-- when a loaded library defined it (a placeholder from `SET` or `ALTER ROLE ... SET` is not listed).
--   * extension already created: TimescaleDB objects;
--   * installed and preloaded: CREATE EXTENSION (a trusted extension: the database owner may create it), then
--     TimescaleDB objects; a role without CREATE on the database gets plain tables, with a notice;
--   * installed but not preloaded: plain tables, with a notice. CREATE EXTENSION is not even tried: without the
--     loader, TimescaleDB ends the session with FATAL "extension "timescaledb" must be preloaded", which no
--     exception handler can catch.
DO $migration$
DECLARE
  timescale boolean := EXISTS (SELECT FROM pg_extension WHERE extname = 'timescaledb');
  installed boolean := EXISTS (SELECT FROM pg_available_extensions WHERE name = 'timescaledb');
  preloaded boolean := EXISTS (SELECT FROM pg_settings WHERE name = 'timescaledb.disable_load');
BEGIN
  IF NOT timescale AND installed AND NOT preloaded THEN
    RAISE NOTICE 'timescaledb is installed but not in shared_preload_libraries: plain PostgreSQL tables';
  ELSIF NOT timescale AND installed THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
      timescale := true;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'timescaledb is available but this role may not create it: plain PostgreSQL tables';
    END;
  END IF;

  IF timescale THEN
    EXECUTE $$SELECT create_hypertable('bars', 'bucket', chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE)$$;
    EXECUTE $$SELECT create_hypertable('signals', 'time', chunk_time_interval => INTERVAL '30 days', if_not_exists => TRUE)$$;
    EXECUTE $$SELECT create_hypertable('trades', 'time', chunk_time_interval => INTERVAL '30 days', if_not_exists => TRUE)$$;
    EXECUTE $$SELECT create_hypertable('strategy_metrics', 'time', chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE)$$;

    EXECUTE $$ALTER TABLE bars SET (timescaledb.compress,
      timescaledb.compress_segmentby = 'run_id, product_id, interval_s', timescaledb.compress_orderby = 'bucket DESC')$$;
    EXECUTE $$ALTER TABLE strategy_metrics SET (timescaledb.compress,
      timescaledb.compress_segmentby = 'run_id, strategy_id, params_key, product_id, interval_s, window_bars',
      timescaledb.compress_orderby = 'time DESC')$$;
    EXECUTE $$SELECT add_compression_policy('bars', INTERVAL '7 days', if_not_exists => TRUE)$$;
    EXECUTE $$SELECT add_compression_policy('strategy_metrics', INTERVAL '7 days', if_not_exists => TRUE)$$;
    EXECUTE $$SELECT add_retention_policy('bars', INTERVAL '365 days', if_not_exists => TRUE)$$;
    EXECUTE $$SELECT add_retention_policy('strategy_metrics', INTERVAL '365 days', if_not_exists => TRUE)$$;

    -- WITH NO DATA: a continuous aggregate cannot be filled inside a transaction; the policy fills it, and
    -- real-time aggregation (materialized_only = false) answers for what it has not materialised yet.
    EXECUTE $$CREATE MATERIALIZED VIEW strategy_metrics_hourly WITH (timescaledb.continuous) AS
      SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
             run_id, strategy_id, params_key, product_id, interval_s, window_bars,
             last(equity, time)            AS equity,
             last(cumulative_return, time) AS cumulative_return,
             last(sharpe, time)            AS sharpe,
             last(sortino, time)           AS sortino,
             min(max_drawdown)             AS max_drawdown,
             last(trade_count, time)       AS trade_count,
             count(*)                      AS bars
      FROM strategy_metrics
      GROUP BY bucket, run_id, strategy_id, params_key, product_id, interval_s, window_bars
      WITH NO DATA$$;
    EXECUTE $$ALTER MATERIALIZED VIEW strategy_metrics_hourly SET (timescaledb.materialized_only = false)$$;
    EXECUTE $$SELECT add_continuous_aggregate_policy('strategy_metrics_hourly',
      start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour',
      schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE)$$;
  ELSE
    EXECUTE $$CREATE VIEW strategy_metrics_hourly AS
      SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
             run_id, strategy_id, params_key, product_id, interval_s, window_bars,
             (array_agg(equity ORDER BY time DESC))[1]            AS equity,
             (array_agg(cumulative_return ORDER BY time DESC))[1] AS cumulative_return,
             (array_agg(sharpe ORDER BY time DESC))[1]            AS sharpe,
             (array_agg(sortino ORDER BY time DESC))[1]           AS sortino,
             min(max_drawdown)                                    AS max_drawdown,
             (array_agg(trade_count ORDER BY time DESC))[1]       AS trade_count,
             count(*)                                             AS bars
      FROM strategy_metrics
      GROUP BY 1, run_id, strategy_id, params_key, product_id, interval_s, window_bars$$;
  END IF;
END
$migration$;
