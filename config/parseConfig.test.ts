import { describe, expect, it } from 'vitest';
import { ConfigError } from './ConfigError.js';
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
      'COINBASE_PRODUCT_IDS: item 2 "eth-usd" has an invalid format (got "BTC-USD,eth-usd")',
      'COINBASE_STALL_TIMEOUT_MS: must be integer (got "soon")',
      'DATABASE_URL: is required but not set',
    ]);
  });

  it('never echoes the value of a secret', () => {
    expect(problemsOf(() => parseConfig(['DATABASE_URL'], { DATABASE_URL: 'mysql://root:hunter2@db' })))
      .toEqual(['DATABASE_URL: has an invalid format']);
  });

  it('never echoes the password of a URL it rejects', () => {
    expect(problemsOf(() => parseConfig(['COINBASE_WS_URL'], { COINBASE_WS_URL: 'wss://u:hunter2@host/ x' })))
      .toEqual(['COINBASE_WS_URL: has an invalid format (got "wss://u:****@host/ x")']);
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
