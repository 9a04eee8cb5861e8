import { describe, expect, it } from 'vitest';
import { ConfigError } from './ConfigError.js';
import { ENV_VARS } from './envVars.js';
import { loadProgramConfig } from './loadProgramConfig.js';
import { parseConfig } from './parseConfig.js';
import { redactConfig } from './redactConfig.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.name}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults, coerces numbers and splits lists', () => {
    const config = parseConfig(['COINBASE_PRODUCT_IDS', 'METRICS_PORT', 'KAFKA_BROKERS', 'COINBASE_FEED'], {
      METRICS_PORT: '9999', KAFKA_BROKERS: ' a:1 , b:2 ',
    });
    expect(config).toEqual({ COINBASE_PRODUCT_IDS: ['BTC-USD', 'ETH-USD'], METRICS_PORT: 9999, KAFKA_BROKERS: ['a:1', 'b:2'], COINBASE_FEED: 'advanced-trade' });
  });

  it('reports every bad variable at once, each with what was wrong', () => {
    expect(problemsOf(() => parseConfig(['COINBASE_FEED', 'METRICS_PORT', 'COINBASE_PRODUCT_IDS', 'COINBASE_STALL_TIMEOUT_MS', 'DATABASE_URL'], {
      COINBASE_FEED: 'pro', METRICS_PORT: '99999', COINBASE_PRODUCT_IDS: 'BTC-USD,eth-usd', COINBASE_STALL_TIMEOUT_MS: 'soon',
    }))).toEqual([
      'COINBASE_FEED: must be one of advanced-trade, exchange (got "pro")',
      'METRICS_PORT: must be <= 65535 (got "99999")',
      'COINBASE_PRODUCT_IDS: item 2 "eth-usd" has an invalid format: expected a Coinbase product id, upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX (got "BTC-USD,eth-usd")',
      'COINBASE_STALL_TIMEOUT_MS: must be integer (got "soon")',
      'DATABASE_URL: is required but not set',
    ]);
  });

  it('never echoes the value of a secret', () => {
    expect(problemsOf(() => parseConfig(['DATABASE_URL'], { DATABASE_URL: 'mysql://root:hunter2@db' })))
      .toEqual(['DATABASE_URL: has an invalid format: expected a postgres:// or postgresql:// URL, e.g. postgres://engine_writer:PASSWORD@127.0.0.1:15432/strategy_engine']);
  });

  it('never echoes the password of a URL it rejects', () => {
    expect(problemsOf(() => parseConfig(['COINBASE_WS_URL'], { COINBASE_WS_URL: 'wss://u:hunter2@host/ x' })))
      .toEqual(['COINBASE_WS_URL: has an invalid format: expected a ws:// or wss:// URL without spaces, e.g. wss://advanced-trade-ws.coinbase.com, or empty for the feed\'s public endpoint (got "wss://u:****@host/ x")']);
  });

  it('accepts Coinbase\'s product-id grammar: spot pairs, International perpetuals, US futures', () => {
    // BTC-PERP-INTX: a captured Advanced Trade subscriptions reply (ccxt/ccxt#22157), also in producer/coinbase/MAPPING.md;
    // BIT-28JUL23-CDE: the FCMPosition example of Coinbase's Advanced Trade OpenAPI spec.
    expect(parseConfig(['COINBASE_PRODUCT_IDS'], { COINBASE_PRODUCT_IDS: 'BTC-PERP-INTX' })).toEqual({ COINBASE_PRODUCT_IDS: ['BTC-PERP-INTX'] });
    expect(parseConfig(['COINBASE_PRODUCT_IDS'], { COINBASE_PRODUCT_IDS: 'BTC-USD,ETH-BTC,BIT-28JUL23-CDE,1INCH-USD' }))
      .toEqual({ COINBASE_PRODUCT_IDS: ['BTC-USD', 'ETH-BTC', 'BIT-28JUL23-CDE', '1INCH-USD'] });
  });

  it.each(['BTCUSD', 'btc-perp-intx', 'BTC--USD', '-BTC-USD', 'BTC-USD-', 'BTC_USD', 'BTC/USD', 'A-B-C-D-E', `${'A'.repeat(17)}-USD`])(
    'refuses the product id %s', (id) => {
      expect(problemsOf(() => parseConfig(['COINBASE_PRODUCT_IDS'], { COINBASE_PRODUCT_IDS: id })))
        .toEqual([`COINBASE_PRODUCT_IDS: item 1 "${id}" has an invalid format: expected a Coinbase product id, upper-case letters and digits in two to four dash-separated parts, e.g. BTC-USD or BTC-PERP-INTX (got "${id}")`]);
    });

  it('rejects duplicate products and empty lists', () => {
    expect(problemsOf(() => parseConfig(['COINBASE_PRODUCT_IDS'], { COINBASE_PRODUCT_IDS: 'BTC-USD,BTC-USD' })))
      .toEqual(['COINBASE_PRODUCT_IDS: must NOT have duplicate items (items ## 1 and 0 are identical) (got "BTC-USD,BTC-USD")']);
    expect(problemsOf(() => parseConfig(['COINBASE_PRODUCT_IDS'], { COINBASE_PRODUCT_IDS: '' })))
      .toEqual(['COINBASE_PRODUCT_IDS: must NOT have fewer than 1 items (got "")']);
  });
});

describe('loadProgramConfig', () => {
  it('adds misspelled project variables to the problems, with the closest name', () => {
    expect(problemsOf(() => loadProgramConfig('producer', { COINBASE_PRODUCTS: 'BTC-USD', METRICS_PORT: '-1' }))).toEqual([
      'METRICS_PORT: must be >= 0 (got "-1")',
      'COINBASE_PRODUCTS: is not a variable of this project (did you mean COINBASE_PRODUCT_IDS?)',
    ]);
  });

  it('refuses the removed ENGINE_PERIODS_PER_YEAR in every program, naming its replacement, even when empty', () => {
    const problem = 'ENGINE_PERIODS_PER_YEAR: was removed: set ENGINE_DAYS_PER_YEAR instead (default 365); bars per year now follow from '
      + 'each bar interval (days · 86 400 s / interval), so one factor can no longer be wrong for another interval';
    for (const value of ['525600', '']) {
      expect(problemsOf(() => loadProgramConfig('replay', { ENGINE_PERIODS_PER_YEAR: value, DATABASE_URL: 'postgres://x@db/y' }))).toEqual([problem]);
      expect(problemsOf(() => loadProgramConfig('producer', { ENGINE_PERIODS_PER_YEAR: value }))).toEqual([problem]);
    }
  });

  it('reads days per year, the risk-free rate and the Sortino MAR as numbers, defaults 365, 0 and 0, each > −1', () => {
    const env = { DATABASE_URL: 'postgres://x@db/y' };
    const defaults = loadProgramConfig('engine', env);
    expect([defaults.ENGINE_DAYS_PER_YEAR, defaults.ENGINE_RISK_FREE_RATE, defaults.ENGINE_SORTINO_MAR]).toEqual([365, 0, 0]);
    const set = loadProgramConfig('engine', { ...env, ENGINE_DAYS_PER_YEAR: '252', ENGINE_RISK_FREE_RATE: '0.04', ENGINE_SORTINO_MAR: '-0.5' });
    expect([set.ENGINE_DAYS_PER_YEAR, set.ENGINE_RISK_FREE_RATE, set.ENGINE_SORTINO_MAR]).toEqual([252, 0.04, -0.5]);
    expect(problemsOf(() => loadProgramConfig('engine', { ...env, ENGINE_DAYS_PER_YEAR: '0', ENGINE_RISK_FREE_RATE: '-1', ENGINE_SORTINO_MAR: '4%' }))).toEqual([
      'ENGINE_DAYS_PER_YEAR: must be > 0 (got "0")',
      'ENGINE_RISK_FREE_RATE: must be > -1 (got "-1")',
      'ENGINE_SORTINO_MAR: must be number (got "4%")',
    ]);
  });

  it('says what a valid value looks like when a value has the wrong format', () => {
    expect(problemsOf(() => loadProgramConfig('replay', { ENGINE_INTERVALS: '1m,7x', DATABASE_URL: 'postgres://x@db/y', ENGINE_GROUP_ID: 'a b' }))).toEqual([
      'ENGINE_INTERVALS: item 2 "7x" has an invalid format: expected a whole number of seconds, minutes, hours or days, e.g. 30s, 1m, 15m, 1h or 1d (got "1m,7x")',
    ]);
    expect(problemsOf(() => parseConfig(['KAFKA_BROKERS', 'DATABASE_SCHEMA'], { KAFKA_BROKERS: 'localhost', DATABASE_SCHEMA: 'Public' }))).toEqual([
      'KAFKA_BROKERS: item 1 "localhost" has an invalid format: expected host:port, e.g. 127.0.0.1:19092 (got "localhost")',
      'DATABASE_SCHEMA: has an invalid format: expected a lower-case PostgreSQL identifier (letters, digits and _, not starting with a digit), e.g. public (got "Public")',
    ]);
  });

  it('gives every pattern-checked variable a description of a valid value with an example', () => {
    const patterned = (schema: unknown): { pattern?: string; description?: string }[] => {
      const s = schema as { pattern?: string; description?: string; items?: unknown };
      return [...(s.pattern === undefined ? [] : [s]), ...(s.items === undefined ? [] : patterned(s.items))];
    };
    const checked = Object.entries(ENV_VARS).flatMap(([name, spec]) => patterned(spec.schema).map((s) => [name, s.description] as const));
    expect(checked.length, 'KAFKA_BROKERS, ENGINE_INTERVALS, DATABASE_URL, … are pattern-checked').toBeGreaterThanOrEqual(15);
    for (const [name, description] of checked) expect(description, name).toMatch(/, e\.g\. \S/);
  });

  it('refuses an ALERT_SHARPE_WINDOW that is not one of ENGINE_STAT_WINDOWS: its rule could never fire', () => {
    expect(problemsOf(() => loadProgramConfig('alerts', { ALERT_SHARPE_WINDOW: '100' }))).toEqual([
      'ALERT_SHARPE_WINDOW: must be one of ENGINE_STAT_WINDOWS (60, 1440): the engine computes no rolling Sharpe ratio over 100 bars, so SharpeLow could never fire (got "100")',
    ]);
    expect(problemsOf(() => loadProgramConfig('alerts', { ENGINE_STAT_WINDOWS: '' }))).toEqual([
      'ALERT_SHARPE_WINDOW: must be one of ENGINE_STAT_WINDOWS (empty): the engine computes no rolling Sharpe ratio over 1440 bars, so SharpeLow could never fire (got "1440")',
    ]);
    expect(loadProgramConfig('alerts', { ALERT_SHARPE_WINDOW: '100', ENGINE_STAT_WINDOWS: '60,100' }).ALERT_SHARPE_WINDOW).toBe(100);
    // A bad window list is reported on its own, not again through the rule.
    expect(problemsOf(() => loadProgramConfig('alerts', { ENGINE_STAT_WINDOWS: '60,x' }))).toEqual(['ENGINE_STAT_WINDOWS: item 2 "x" must be integer (got "60,x")']);
  });

  it('ignores variables of other software, even Kafka\'s own scripts', () => {
    expect(loadProgramConfig('topics', { KAFKA_HEAP_OPTS: '-Xmx1g', PATH: '/bin' }).KAFKA_TOPIC_PARTITIONS).toBe(6);
  });
});

describe('redactConfig', () => {
  it('keeps a secret URL readable but drops its password', () => {
    expect(redactConfig({ DATABASE_URL: 'postgres://engine:s3cr3t@db:5432/x', LOG_LEVEL: 'info' }))
      .toEqual({ DATABASE_URL: 'postgres://engine:****@db:5432/x', LOG_LEVEL: 'info' });
  });
});
