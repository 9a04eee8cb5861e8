import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoinbaseRestServer } from '../testing/coinbase/CoinbaseRestServer.js';
import { CoinbaseRestClient, RestRequestError } from './CoinbaseRestClient.js';
import { mapRestTrades } from './core/mapRestTrades.js';
import { TokenBucket } from './core/TokenBucket.js';
import { Semaphore } from './Semaphore.js';

const DAY = Date.parse('2026-01-01T00:00:00Z') / 1000;

describe('CoinbaseRestClient', () => {
  let server: CoinbaseRestServer;
  const client = (options: { ratePerS?: number; burst?: number; maxRetries?: number } = {}) => new CoinbaseRestClient({
    baseUrl: server.url, bucket: new TokenBucket(options.ratePerS ?? 1000, options.burst ?? 100, Date.now()), inFlight: new Semaphore(4),
    retry: { baseMs: 20, maxMs: 100 }, maxRetries: options.maxRetries ?? 3, logger: pino({ level: 'silent' }), signal: new AbortController().signal,
  });
  const trades = (c: CoinbaseRestClient) => c.get('/products/BTC-USD/trades', { limit: 2 }, (body, rx) => mapRestTrades(body, 'BTC-USD', rx).events.length);

  beforeAll(async () => {
    server = await CoinbaseRestServer.start({ seed: 3, markets: [{ productId: 'BTC-USD', fromS: DAY, toS: DAY + 600 }] });
  });
  afterAll(async () => { await server.close(); });

  it('retries 429s (honouring Retry-After), 5xx and malformed bodies, then succeeds', async () => {
    server.fault('trades', { kind: 'status', status: 429, retryAfter: '1' });
    server.fault('trades', { kind: 'status', status: 429 });
    server.fault('trades', { kind: 'status', status: 502 });
    server.fault('trades', { kind: 'malformed' });
    const c = client({ maxRetries: 4 });
    const started = Date.now();
    expect(await trades(c)).toBe(2);
    expect(Date.now() - started, 'waited the 1 s Retry-After asked for').toBeGreaterThanOrEqual(1000);
    expect(c.stats).toEqual({ requests: 5, retries: 4, outcomes: { 429: 2, 502: 1, malformed: 1, 200: 1 } });
  });

  it('gives up after its bounded retries with an error naming the URL and the status', async () => {
    server.fault('trades', { kind: 'status', status: 503 }, 3);
    const c = client({ maxRetries: 2 });
    const error = await trades(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestRequestError);
    expect((error as RestRequestError).message).toBe(`GET ${server.url}/products/BTC-USD/trades?limit=2 failed after 3 attempts: 503 Internal server error`);
    expect([(error as RestRequestError).status, (error as RestRequestError).retriable]).toEqual([503, true]);
  });

  it('names why a host cannot be reached (fetch itself only says "fetch failed")', async () => {
    // A loopback port just freed: nothing listens, so the connection is refused at once.
    const listener = createServer().listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;
    await new Promise((resolve) => listener.close(resolve));
    const c = new CoinbaseRestClient({
      baseUrl: `http://127.0.0.1:${port}`, bucket: new TokenBucket(1000, 100, Date.now()), inFlight: new Semaphore(1),
      retry: { baseMs: 1, maxMs: 1 }, maxRetries: 1, logger: pino({ level: 'silent' }), signal: new AbortController().signal,
    });
    const error = await trades(c).catch((e: unknown) => e as RestRequestError) as RestRequestError;
    expect(error.message).toBe(`GET http://127.0.0.1:${port}/products/BTC-USD/trades?limit=2 failed after 2 attempts: cannot reach 127.0.0.1:${port}: connection refused`);
    expect([error.status, c.stats.outcomes]).toEqual([null, { error: 2 }]);
  });

  it('fails at once on a status retrying cannot fix, with Coinbase\'s message', async () => {
    const c = client();
    const error = await c.get('/api/v3/brokerage/market/products/BTC-USD/candles', { start: 0, end: 350 * 60, granularity: 'ONE_MINUTE' }, () => null)
      .catch((e: unknown) => e as RestRequestError) as RestRequestError;
    expect(error.message).toMatch(/failed: 400 INVALID_ARGUMENT: start and end argument is invalid - number of candles requested should be less than 350$/);
    expect([error.attempts, c.stats.retries]).toEqual([1, 0]);
  });

  it('keeps to its token bucket: 21 requests at 20/s with a burst of 1 take at least a second and meet no 429', async () => {
    const limited = await CoinbaseRestServer.start({ seed: 3, markets: [{ productId: 'BTC-USD', fromS: DAY, toS: DAY + 600 }], rateLimit: { ratePerS: 22, burst: 2 } });
    try {
      const c = new CoinbaseRestClient({
        baseUrl: limited.url, bucket: new TokenBucket(20, 1, Date.now()), inFlight: new Semaphore(8), retry: { baseMs: 20, maxMs: 100 },
        maxRetries: 0, logger: pino({ level: 'silent' }), signal: new AbortController().signal,
      });
      const started = Date.now();
      await Promise.all(Array.from({ length: 21 }, () => trades(c)));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000 - 5);
      expect(limited.requests.filter((r) => r.status === 429)).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});
