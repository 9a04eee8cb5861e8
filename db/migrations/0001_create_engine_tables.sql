-- The engine's results (bars, signals, trades, strategy_metrics), its runs, and its exactly-once state
-- (offsets, keyed state, outbox). Every result table is keyed by run and instance and by its time column,
-- so that a hypertable can partition it by time and a retried write is a no-op (ON CONFLICT DO NOTHING).

CREATE TABLE bars (
  run_id      text             NOT NULL,
  product_id  text             NOT NULL,
  interval_s  integer          NOT NULL,
  bucket      timestamptz      NOT NULL,   -- the bar's start; it covers [bucket, bucket + interval)
  open        double precision NOT NULL,
  high        double precision NOT NULL,
  low         double precision NOT NULL,
  close       double precision NOT NULL,
  volume      double precision NOT NULL,
  vwap        double precision NOT NULL,
  trade_count integer          NOT NULL,
  complete    boolean          NOT NULL,   -- false when the producer reported missing data in the bar
  PRIMARY KEY (run_id, product_id, interval_s, bucket)
);

CREATE TABLE signals (
  run_id      text             NOT NULL,
  strategy_id text             NOT NULL,
  params_key  text             NOT NULL,
  product_id  text             NOT NULL,
  interval_s  integer          NOT NULL,
  time        timestamptz      NOT NULL,   -- end of the bar that produced it; acted on at the next bar's open
  target      text             NOT NULL CHECK (target IN ('long', 'flat', 'short')),
  reason      text             NOT NULL,
  price       double precision NOT NULL,   -- the close it was decided at
  PRIMARY KEY (run_id, strategy_id, params_key, product_id, interval_s, time)
);

CREATE TABLE trades (
  run_id         text             NOT NULL,
  strategy_id    text             NOT NULL,
  params_key     text             NOT NULL,
  product_id     text             NOT NULL,
  interval_s     integer          NOT NULL,
  time           timestamptz      NOT NULL,   -- the open of the bar it was filled at
  seq            smallint         NOT NULL,   -- order within the bar (a reversal is two fills)
  side           text             NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity       double precision NOT NULL,
  price          double precision NOT NULL,   -- after slippage
  fee            double precision NOT NULL,
  realized_pnl   double precision,            -- the closed round trip's profit, fees included; NULL when opening
  position_after double precision NOT NULL,
  PRIMARY KEY (run_id, strategy_id, params_key, product_id, interval_s, time, seq)
);

CREATE TABLE strategy_metrics (
  run_id            text             NOT NULL,
  strategy_id       text             NOT NULL,
  params_key        text             NOT NULL,
  product_id        text             NOT NULL,
  interval_s        integer          NOT NULL,
  window_bars       integer          NOT NULL,   -- 0: since the start; N: the last N bars
  time              timestamptz      NOT NULL,   -- end of the bar
  equity            double precision NOT NULL,
  position          double precision NOT NULL,
  bar_return        double precision NOT NULL,
  bars              integer          NOT NULL,
  cumulative_return double precision NOT NULL,   -- NaN, Infinity and -Infinity are stored as such
  annual_volatility double precision NOT NULL,
  sharpe            double precision NOT NULL,
  sortino           double precision NOT NULL,
  max_drawdown      double precision NOT NULL,
  win_rate          double precision NOT NULL,
  trade_count       integer          NOT NULL,
  PRIMARY KEY (run_id, strategy_id, params_key, product_id, interval_s, window_bars, time)
);

-- One row per run: 'live' for the live engine, one per replay.
CREATE TABLE strategy_runs (
  run_id      text        PRIMARY KEY,
  kind        text        NOT NULL CHECK (kind IN ('live', 'replay')),
  label       text,
  strategies  jsonb       NOT NULL,   -- [{ "id", "version", "params", "paramsKey" }]
  settings    jsonb       NOT NULL,
  status      text        NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  offsets     jsonb,                  -- replays: the partition offsets read
  from_time   timestamptz,
  to_time     timestamptz,
  summary     jsonb
);

-- Exactly-once state: per consumed partition, where to resume and a version for fencing; per product, the
-- engine's keyed state; and the Kafka records to publish, written in the same transaction as the results.
CREATE TABLE engine_offsets (
  consumer_group text        NOT NULL,
  topic          text        NOT NULL,
  partition      integer     NOT NULL,
  next_offset    bigint      NOT NULL,
  version        bigint      NOT NULL,
  meta           text        NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);

CREATE TABLE engine_state (
  consumer_group text    NOT NULL,
  topic          text    NOT NULL,
  partition      integer NOT NULL,
  product_id     text    NOT NULL,
  state          text    NOT NULL,
  PRIMARY KEY (consumer_group, topic, partition, product_id)
);

CREATE TABLE engine_outbox (
  id             bigserial PRIMARY KEY,
  consumer_group text        NOT NULL,
  partition      integer     NOT NULL,
  topic          text        NOT NULL,
  key            text        NOT NULL,
  value          bytea       NOT NULL,
  headers        jsonb       NOT NULL DEFAULT '{}',
  timestamp_ms   bigint      NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX engine_outbox_partition ON engine_outbox (consumer_group, partition, id);
