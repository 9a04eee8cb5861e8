-- Fills at prices that existed after the decision, dormant state for idle products, and one live run per
-- configuration (docs/conventions.md).
--
-- trades: `time` is now the event time of the trade (or quote) the order filled at, no longer the open of the
-- next bar; `signal_time` is the end of the bar whose close decided it (NULL for a liquidation at a bar's
-- mark), and `liquidation` marks fills that closed a position whose equity reached zero. Rows written before
-- this migration keep their old meaning; they belong to runs that a new live run supersedes (below).
ALTER TABLE trades ADD COLUMN signal_time timestamptz;
ALTER TABLE trades ADD COLUMN liquidation boolean NOT NULL DEFAULT false;

-- A product idle for ENGINE_IDLE_EVICT_MS leaves the engine's memory; its state stays here, dormant, and is
-- restored when the product returns (its books are never reset).
ALTER TABLE engine_state ADD COLUMN dormant boolean NOT NULL DEFAULT false;

-- Live runs: each consumer group's results belong to the run whose settings built them. When the engine
-- starts with other settings, the current run ends (status 'finished', `superseded_by` the new run) and keeps
-- its settings and results; the new run starts with fresh state. The run recorded before this migration has
-- no consumer group: the first engine to start claims it (and, its settings being of the old form, supersedes
-- it at once).
ALTER TABLE strategy_runs ADD COLUMN consumer_group text;
ALTER TABLE strategy_runs ADD COLUMN superseded_by text REFERENCES strategy_runs (run_id);
CREATE INDEX strategy_runs_live_by_group ON strategy_runs (consumer_group, started_at DESC) WHERE kind = 'live';
