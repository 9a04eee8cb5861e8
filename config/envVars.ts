import Type, { type TInteger, type TSchema } from 'typebox';
import { parseDurationUs } from './parseDuration.js';
import { PRODUCT_ID_PATTERN } from '../wire/MarketEvent.js';

/**
 * One environment variable: its JSON schema (validated with ajv at start-up), its default, what it means,
 * and which programs read it. This table is the single declaration of the project's configuration: the
 * loader, `.env.example` and the README's table are all derived from it (a test keeps them in sync).
 */
export interface EnvVarSpec<S extends TSchema = TSchema> {
  readonly schema: S;
  /** Raw string default, parsed like a value from the environment; absent means the variable is required. */
  readonly default?: string;
  readonly description: string;
  /** Secrets are never logged: URLs keep everything but their password, other values become `****`. */
  readonly secret?: boolean;
  /** A check the schema cannot express; returns the problem, or null when the (parsed) value is fine. */
  readonly refine?: (value: never) => string | null;
}

const port = (description: string, defaultPort: number): EnvVarSpec<TInteger> =>
  ({ schema: Type.Integer({ minimum: 0, maximum: 65535 }), default: String(defaultPort), description });

const positiveInt = (description: string, defaultValue: number, minimum = 1): EnvVarSpec<TInteger> =>
  ({ schema: Type.Integer({ minimum }), default: String(defaultValue), description });

/**
 * A string checked by a pattern. `expected` says what a valid value looks like, with an example: a value that
 * does not match is reported with it (it is the schema's `description`, which the loader reads).
 */
const formatted = (pattern: string, expected: string, options: { maxLength?: number } = {}) =>
  Type.String({ pattern, description: expected, ...options });

/** A password docker-compose.yml reads; those of database roles go into URLs, so they must be URL-safe. */
const secretText = (description: string, inUrl: boolean): EnvVarSpec => inUrl
  ? { schema: formatted('^[A-Za-z0-9._~-]{12,}$', 'at least 12 URL-safe characters (letters, digits, . _ ~ -), e.g. the output of openssl rand -hex 16'), description: `${description} At least 12 URL-safe characters (letters, digits, \`._~-\`, e.g. \`openssl rand -hex 16\`); no default.`, secret: true }
  : { schema: Type.String({ minLength: 12 }), description: `${description} At least 12 characters; no default.`, secret: true };

const HOST_PORT = formatted('^[^\\s:,]+:[0-9]{1,5}$', 'host:port, e.g. 127.0.0.1:19092');
const POSTGRES_URL = formatted('^postgres(ql)?://\\S+$', 'a postgres:// or postgresql:// URL, e.g. postgres://engine_writer:PASSWORD@127.0.0.1:15432/strategy_engine');
const REST_URL = formatted('^https?://[^\\s/]+(/[^\\s]*)?$', 'an http:// or https:// base URL, e.g. https://api.coinbase.com');

/** Every variable the project reads, in the order the README lists them. */
export const ENV_VARS = {
  LOG_LEVEL: {
    schema: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'pino log level of every program (JSON lines on stdout; the replay CLI logs only warnings and errors, on stderr, unless this is set).',
  },
  KAFKA_BROKERS: {
    schema: Type.Array(HOST_PORT, { minItems: 1 }),
    default: '127.0.0.1:19092',
    description: 'Comma-separated Kafka bootstrap brokers (`host:port`). The default is the broker `make services-up` starts.',
  },
  KAFKA_TOPIC_PREFIX: {
    schema: formatted('^[A-Za-z0-9._-]*$', 'letters, digits, . _ or -, e.g. staging.', { maxLength: 100 }),
    default: '',
    description: 'Prepended to every topic name (e.g. `staging.` gives `staging.prices.raw`), so several deployments can share a cluster.',
  },
  KAFKA_TOPIC_PARTITIONS: positiveInt('Partitions of the product-keyed topics (`prices.normalized`) created by `make topics`. `prices.raw` and `prices.dlq` keep one partition so that their records stay in arrival order.', 6),
  KAFKA_TOPIC_REPLICATION_FACTOR: positiveInt('Replication factor of the topics created by `make topics`.', 1),
  KAFKA_TOPIC_RETENTION_MS: {
    schema: Type.Integer({ minimum: -1 }),
    default: String(90 * 24 * 3600 * 1000),
    description: 'Retention of the market-data topics in ms (default 90 days, so replays reach back a quarter); `-1` keeps records forever.',
  },
  KAFKA_TOPIC_HISTORY_RETENTION_MS: {
    schema: Type.Integer({ minimum: -1 }),
    default: '-1',
    description: 'Retention of `prices.history` (what `backfill` loads) in ms; `-1` (default) keeps it forever. Kafka counts retention from the record timestamp, which there is the event time: a finite value deletes history older than it at once (`31536000000` keeps the last year of event time).',
  },
  KAFKA_COMPRESSION: {
    schema: Type.Enum(['none', 'gzip']),
    default: 'gzip',
    description: 'Compression of the producer\'s record batches: `gzip` or `none`.',
  },
  COINBASE_FEED: {
    schema: Type.Enum(['advanced-trade', 'exchange']),
    default: 'advanced-trade',
    description: 'Which Coinbase WebSocket protocol to speak: `advanced-trade` (market_trades, ticker, heartbeats) or `exchange` (matches, ticker, heartbeat).',
  },
  COINBASE_WS_URL: {
    schema: formatted('^$|^wss?://\\S+$', 'a ws:// or wss:// URL without spaces, e.g. wss://advanced-trade-ws.coinbase.com, or empty for the feed\'s public endpoint'),
    default: '',
    description: 'WebSocket endpoint. Empty means the feed\'s public endpoint: `wss://advanced-trade-ws.coinbase.com` or `wss://ws-feed.exchange.coinbase.com`.',
  },
  COINBASE_PRODUCT_IDS: {
    schema: Type.Array(formatted(PRODUCT_ID_PATTERN, 'a Coinbase product id, upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX'), { minItems: 1, maxItems: 200, uniqueItems: true }),
    default: 'BTC-USD,ETH-USD',
    description: 'Comma-separated products to subscribe to: Coinbase product ids, upper-case letters and digits in two to four dash-separated parts (`BTC-USD`, `BTC-PERP-INTX`).',
  },
  COINBASE_STALL_TIMEOUT_MS: positiveInt('Watchdog: a connection that delivers no frame for this long (heartbeats arrive every second) is treated as stalled and replaced.', 10_000, 1000),
  COINBASE_SUBSCRIBE_TIMEOUT_MS: positiveInt('How long to wait for Coinbase\'s answer to the subscription (its `subscriptions` replies, every channel present) before reconnecting. Products the answer leaves out do not cause a reconnect: see `COINBASE_RESUBSCRIBE_INTERVAL_MS`.', 5000, 100),
  COINBASE_RECONNECT_BASE_MS: positiveInt('Reconnect backoff: the delay cap of the first attempt; it doubles per failed attempt up to `COINBASE_RECONNECT_MAX_MS`, and each delay is drawn from the upper half of the cap (equal jitter). A confirmed connection resets it.', 500),
  COINBASE_RECONNECT_MAX_MS: positiveInt('Reconnect backoff: the largest delay cap.', 30_000),
  COINBASE_RESUBSCRIBE_INTERVAL_MS: positiveInt('Products Coinbase did not confirm (delisted, unknown) are reported and asked for again on the same connection this often, while the confirmed ones stream.', 300_000, 1000),
  COINBASE_MAX_FRAME_BYTES: positiveInt('Frames larger than this are not parsed: they go to `prices.dlq` whole, with reason `oversized`.', 1_048_576, 1024),
  PRODUCER_QUEUE_MAX_BYTES: positiveInt('Memory bound of the queue between the WebSocket and Kafka. When full, frames are dropped and counted, a gap marker is published and the feed resubscribes.', 64 * 1024 * 1024, 65_536),
  PRODUCER_DEDUPE_WINDOW: positiveInt('Trade ids remembered per product to drop trades repeated across reconnects.', 10_000),
  PRODUCER_SHUTDOWN_TIMEOUT_MS: positiveInt('On SIGTERM, how long to wait for queued records to reach Kafka before disconnecting.', 10_000),
  COINBASE_REST_URL: {
    schema: REST_URL,
    default: 'https://api.coinbase.com',
    description: 'Base URL of Coinbase Advanced Trade\'s REST API, whose public market-data candles (`/api/v3/brokerage/market/products/{id}/candles`, no credentials) `backfill` loads. Tests point it at a local server.',
  },
  COINBASE_EXCHANGE_REST_URL: {
    schema: REST_URL,
    default: 'https://api.exchange.coinbase.com',
    description: 'Base URL of Coinbase Exchange\'s REST API, whose public trades (`/products/{id}/trades`, cursor pagination) `backfill --trades` loads.',
  },
  BACKFILL_REQUESTS_PER_S: {
    schema: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
    default: '10',
    description: 'Token bucket refill rate of `backfill`, per API host: Coinbase throttles public REST endpoints per IP at 10 requests/s (Exchange, documented; Advanced Trade, the same reported). See backfill/COINBASE_REST.md.',
  },
  BACKFILL_BURST: positiveInt('Token bucket size of `backfill` (requests that may go at once after a pause). Exchange documents bursts up to 15; 10 stays under both APIs.', 10),
  BACKFILL_CONCURRENCY: positiveInt('Requests `backfill` keeps in flight at once (all products together); the token bucket still sets the rate.', 8),
  BACKFILL_MAX_RETRIES: positiveInt('Retries of one request after a 429, a 5xx, a network error or a malformed body, before `backfill` stops that product with an error (a re-run resumes there).', 6, 0),
  BACKFILL_RETRY_BASE_MS: positiveInt('Back-off of `backfill` retries: the delay cap of the first retry, doubling per retry up to `BACKFILL_RETRY_MAX_MS`, drawn from the cap\'s upper half (equal jitter). A 429\'s `Retry-After` is honoured instead when present.', 500),
  BACKFILL_RETRY_MAX_MS: positiveInt('Back-off of `backfill` retries: the largest delay cap.', 30_000),
  METRICS_HOST: {
    schema: Type.String({ minLength: 1 }),
    default: '127.0.0.1',
    description: 'Address the `/metrics` endpoints (producer and engine) listen on; `0.0.0.0` exposes them to other hosts (containers need it).',
  },
  METRICS_PORT: port('Port of the producer\'s `/metrics` endpoint (0 picks a free port).', 9464),
  ENGINE_METRICS_PORT: port('Port of the engine\'s `/metrics` endpoint (0 picks a free port).', 9465),
  ENGINE_GROUP_ID: {
    schema: formatted('^[A-Za-z0-9._-]{1,100}$', '1 to 100 letters, digits, . _ or -, e.g. strategy-engine'),
    default: 'strategy-engine',
    description: 'Kafka consumer group of the engine; engines in one group share the partitions. Checkpoints are kept per group.',
  },
  ENGINE_INTERVALS: {
    schema: Type.Array(formatted('^[1-9][0-9]*(s|m|h|d)$', 'a whole number of seconds, minutes, hours or days, e.g. 30s, 1m, 15m, 1h or 1d'), { minItems: 1, maxItems: 8, uniqueItems: true }),
    default: '1m',
    description: 'Comma-separated bar intervals (`30s`, `1m`, `15m`, `1h`, `1d`); each a multiple of the smallest. Strategies run on every interval.',
    refine: (value: readonly string[]) => {
      const us = value.map((v) => parseDurationUs(v) ?? 0).sort((a, b) => a - b);
      const smallest = us[0] ?? 1;
      return us.every((u) => u % smallest === 0) ? null : 'each interval must be a multiple of the smallest';
    },
  },
  ENGINE_ALLOWED_LATENESS_MS: positiveInt('Watermark delay: bars close this long (in event time) after their end, so trades up to this late still count. Above 250 ms, since Coinbase batches market_trades over 250 ms.', 2000, 0),
  ENGINE_IDLE_EVICT_MS: positiveInt('A product without any event (heartbeats included) for this long, in event time, leaves the engine\'s memory; its state (bars, positions, statistics) stays in PostgreSQL and is restored when it trades again.', 3_600_000, 1000),
  ENGINE_MAX_CLOCK_SKEW_MS: positiveInt('A record whose exchange time is more than this ahead of its own receipt time is sent to the dead-letter topic (reason `clock_skew`) instead of moving the watermark.', 10_000, 0),
  ENGINE_SESSION_TIMEOUT_MS: positiveInt('Kafka consumer-group session timeout: how soon the partitions of an engine that died move to the others.', 30_000, 6000),
  ENGINE_START_FROM: {
    schema: Type.Enum(['earliest', 'latest']),
    default: 'earliest',
    description: 'Where a partition without a checkpoint starts: `earliest`, at the oldest record Kafka keeps; `latest`, with the records that arrive after the engine joins.',
  },
  ENGINE_CHECKPOINT_INTERVAL_MS: positiveInt('How often results, keyed state and offsets are committed together to PostgreSQL (also on shutdown and on rebalance).', 5000, 100),
  ENGINE_CHECKPOINT_MAX_ROWS: positiveInt('Commit early when this many result rows are pending, bounding memory.', 20_000, 100),
  ENGINE_INITIAL_EQUITY: {
    schema: Type.Number({ exclusiveMinimum: 0 }),
    default: '10000',
    description: 'Starting equity of every strategy instance, in quote currency.',
  },
  ENGINE_FEE_BPS: {
    schema: Type.Number({ minimum: 0, maximum: 1000 }),
    default: '10',
    description: 'Fee per fill, in basis points of the notional (Coinbase Advanced charges 5–60 bps depending on tier and maker/taker).',
  },
  ENGINE_SLIPPAGE_BPS: {
    schema: Type.Number({ minimum: 0, maximum: 1000 }),
    default: '2',
    description: 'Slippage per fill, in basis points, against the trader (buys at the fill price + this, sells at − this).',
  },
  ENGINE_FILL_PRICE: {
    schema: Type.Enum(['trade', 'quote']),
    default: 'trade',
    description: 'What a simulated order fills at, once its decision is known (the bar\'s end + `ENGINE_ALLOWED_LATENESS_MS`): `trade`, the first trade at or after that time; `quote`, the best ask (buys) or bid (sells) of the first quote at or after it, which pays the spread (see docs/conventions.md).',
  },
  ENGINE_STAT_WINDOWS: {
    schema: Type.Array(Type.Integer({ minimum: 2, maximum: 100_000 }), { minItems: 0, maxItems: 6, uniqueItems: true }),
    default: '60,1440',
    description: 'Rolling statistics windows, in bars (statistics since the start are always computed).',
  },
  ENGINE_DAYS_PER_YEAR: {
    schema: Type.Number({ exclusiveMinimum: 0, maximum: 366 }),
    default: '365',
    description: 'Annualisation: days per year of trading. Each interval\'s bars per year follow from it (days · 86 400 s / interval: 525600 for 1-minute bars, 8760 for hourly ones); 365 for a 24/7 market, 252 to compare with exchange-hours figures.',
  },
  ENGINE_RISK_FREE_RATE: {
    schema: Type.Number({ exclusiveMinimum: -1 }),
    default: '0',
    description: 'Annual risk-free rate as a fraction (0.04 = 4 %). Sharpe is computed on the bar returns in excess of it, converted per bar as (1 + rate)^(1 / bars per year) − 1.',
  },
  ENGINE_SORTINO_MAR: {
    schema: Type.Number({ exclusiveMinimum: -1 }),
    default: '0',
    description: 'Sortino\'s minimum acceptable return (empyrical\'s required_return), annual, as a fraction; converted per bar like `ENGINE_RISK_FREE_RATE`.',
  },
  STRATEGY_MODULE: {
    schema: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 20 }),
    default: 'sma_cross',
    description: 'Comma-separated strategies: built-in ids (`sma_cross`, `ema_cross`, `rsi_reversion`, `bollinger_breakout`) or paths/packages of modules exporting a plug-in.',
  },
  STRATEGY_PARAMS: {
    schema: Type.String(),
    default: '',
    description: 'JSON parameters: an object for one strategy (`{"fast":10,"slow":30}`), or an object keyed by strategy id; an array of objects runs several parameter sets.',
    refine: (value: string) => {
      if (value.trim() === '') return null;
      try {
        const parsed: unknown = JSON.parse(value);
        return parsed !== null && typeof parsed === 'object' ? null : 'must be a JSON object or array';
      } catch (error) {
        return `is not JSON (${(error as Error).message})`;
      }
    },
  },
  DATABASE_URL: {
    schema: POSTGRES_URL,
    description: 'PostgreSQL/TimescaleDB connection of the engine (the `engine_writer` role). `make services-up` writes one to `.services.env`.',
    secret: true,
  },
  MIGRATION_DATABASE_URL: {
    schema: POSTGRES_URL,
    description: 'Connection of the schema owner, used by `make migrate` to create and change tables. `make services-up` writes one to `.services.env`.',
    secret: true,
  },
  DATABASE_SCHEMA: {
    schema: formatted('^[a-z_][a-z0-9_]{0,62}$', 'a lower-case PostgreSQL identifier (letters, digits and _, not starting with a digit), e.g. public'),
    default: 'public',
    description: 'PostgreSQL schema holding the engine\'s tables.',
  },
  PROMETHEUS_URL: {
    schema: formatted('^https?://\\S+$', 'an http:// or https:// URL, e.g. http://127.0.0.1:19090'),
    default: 'http://127.0.0.1:19090',
    description: 'Prometheus HTTP API, read by the integration tests that prove metric queries.',
  },
  ALERT_FEED_STALE_SECONDS: positiveInt('Alert `FeedStale` when the producer has received no frame for this long (Coinbase sends heartbeats every second).', 30),
  ALERT_CONSUMER_LAG_RECORDS: positiveInt('Alert `EngineConsumerLag` when a partition of prices.normalized has more records than this waiting for the engine, for 2 minutes.', 10_000),
  ALERT_SIGNAL_LATENCY_P99_SECONDS: {
    schema: Type.Number({ exclusiveMinimum: 0 }),
    default: '0.5',
    description: 'Alert `SignalLatencyHigh` when the p99 of producer receipt → signal over 5 minutes is above this, for 5 minutes.',
  },
  ALERT_SHARPE_MIN: {
    schema: Type.Number(),
    default: '0',
    description: 'Alert `SharpeLow` when a strategy instance\'s rolling Sharpe ratio (window `ALERT_SHARPE_WINDOW`) stays below this for 15 minutes.',
  },
  ALERT_SHARPE_WINDOW: positiveInt('The rolling window, in bars, whose Sharpe ratio `SharpeLow` watches: one of `ENGINE_STAT_WINDOWS` (which `make alerts` reads for this check), else `make alerts` refuses it.', 1440, 2),
  ALERT_MAX_DRAWDOWN: {
    schema: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    default: '0.2',
    description: 'Alert `DrawdownBeyondLimit` when a strategy instance\'s drawdown since the start is deeper than this fraction (0.2 = 20 %).',
  },
  POSTGRES_PASSWORD: secretText('docker-compose.yml: password of the `postgres` superuser of the TimescaleDB container, which creates the roles on first start.', true),
  MIGRATION_DB_PASSWORD: secretText('docker-compose.yml: password of `strategy_engine`, the schema owner that runs the migrations (set when the database volume is first created).', true),
  ENGINE_DB_PASSWORD: secretText('docker-compose.yml: password of `engine_writer`, the engine\'s role (writes results and its own state).', true),
  GRAFANA_DB_PASSWORD: secretText('docker-compose.yml: password of `grafana_reader`, Grafana\'s read-only role (interpolated into the provisioned datasource).', true),
  GRAFANA_ADMIN_PASSWORD: secretText('docker-compose.yml: password of Grafana\'s `admin` user.', false),
  ALERT_WEBHOOK_URL: {
    schema: formatted('^$|^https?://\\S+$', 'an http:// or https:// URL, e.g. https://hooks.example.com/alerts, or empty'),
    default: '',
    description: 'docker-compose.yml: the contact point, optional. Alertmanager POSTs every alert of prometheus/alerts.yml here (its webhook JSON), firing and resolved. Empty (as `make up` writes it to a new `.env`): no notifications; alerts are shown in Alertmanager (<http://127.0.0.1:19093>) and Grafana.',
    secret: true,
  },
} as const satisfies Record<string, EnvVarSpec>;

export type EnvVarName = keyof typeof ENV_VARS;

/**
 * Variables the project no longer reads, with what replaced them. One still set in the environment is a
 * configuration error (status 78) in every program, so that a setting never silently stops applying.
 */
export const REMOVED_ENV_VARS: Readonly<Record<string, string>> = {
  ENGINE_PERIODS_PER_YEAR: 'was removed: set ENGINE_DAYS_PER_YEAR instead (default 365); bars per year now follow from each bar interval (days · 86 400 s / interval), so one factor can no longer be wrong for another interval',
};
