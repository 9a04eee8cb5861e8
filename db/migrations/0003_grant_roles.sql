-- Least privilege for the roles an administrator creates (db/roles.sql): the engine writes results and its
-- own state and reads nothing else; Grafana reads results and nothing else (not the engine's state).
-- Skipped for a role that does not exist.
DO $migration$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'engine_writer') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO engine_writer', current_schema());
    GRANT SELECT, INSERT ON bars, signals, trades, strategy_metrics TO engine_writer;
    GRANT SELECT, INSERT, UPDATE ON strategy_runs TO engine_writer;
    GRANT SELECT, INSERT, UPDATE, DELETE ON engine_offsets, engine_state, engine_outbox TO engine_writer;
    GRANT USAGE ON SEQUENCE engine_outbox_id_seq TO engine_writer;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_reader') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO grafana_reader', current_schema());
    GRANT SELECT ON bars, signals, trades, strategy_metrics, strategy_runs, strategy_metrics_hourly TO grafana_reader;
  END IF;
END
$migration$;
