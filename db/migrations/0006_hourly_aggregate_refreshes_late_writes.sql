-- The hourly continuous aggregate's policy refreshed only the last 3 days, so rows written later for older
-- times (a replay of an old range, an engine catching up after a long outage) never reached it. It now refreshes
-- the whole retention period of strategy_metrics (365 days, migration 0002): every row the table can hold.
-- That costs only what changed: TimescaleDB logs each write below the aggregate's watermark as an invalidation,
-- and a refresh re-materialises the invalidated buckets only. The window stops at the retention period so that
-- a refresh never covers chunks the retention policy dropped (the aggregate keeps those hours).
-- Plain PostgreSQL: strategy_metrics_hourly is a plain view, always current; nothing to do.
DO $migration$
DECLARE
  continuous boolean := false;
BEGIN
  IF EXISTS (SELECT FROM pg_extension WHERE extname = 'timescaledb') THEN
    EXECUTE $$SELECT EXISTS (SELECT FROM timescaledb_information.continuous_aggregates
      WHERE view_schema = current_schema() AND view_name = 'strategy_metrics_hourly')$$ INTO continuous;
  END IF;
  IF continuous THEN
    EXECUTE $$SELECT remove_continuous_aggregate_policy('strategy_metrics_hourly', if_exists => TRUE)$$;
    EXECUTE $$SELECT add_continuous_aggregate_policy('strategy_metrics_hourly',
      start_offset => INTERVAL '365 days', end_offset => INTERVAL '1 hour',
      schedule_interval => INTERVAL '30 minutes')$$;
  END IF;
END
$migration$;
