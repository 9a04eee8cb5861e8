import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoinbaseRestServer } from './CoinbaseRestServer.js';

const DAY = Date.parse('2026-01-01T00:00:00Z') / 1000;

describe('CoinbaseRestServer', () => {
  let server: CoinbaseRestServer;
  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, headers: response.headers, body: await response.json() };
  };

  beforeAll(async () => {
    server = await CoinbaseRestServer.start({ seed: 7, markets: [{ productId: 'BTC-USD', fromS: DAY, toS: DAY + 3600, quietFraction: 0.2, firstTradeId: 5000 }] });
  });
  afterAll(async () => { await server.close(); });

  it('serves candles newest first as strings, omitting minutes without trades, both bounds inclusive', async () => {
    const { status, body } = await get(`/api/v3/brokerage/market/products/BTC-USD/candles?start=${DAY}&end=${DAY + 3600}&granularity=ONE_MINUTE`);
    expect(status).toBe(200);
    const candles = (body as { candles: { start: string }[] }).candles;
    const held = server.candles('BTC-USD', 60);
    expect(candles.map((c) => Number(c.start))).toEqual(held.map((c) => c.start).reverse());
    expect(held.length, 'quiet minutes are omitted').toBeLessThan(60);
    expect(typeof candles[0]).toBe('object');
  });

  it('refuses more than 350 candles the way Coinbase does, and unknown products and granularities', async () => {
    expect(await get(`/api/v3/brokerage/market/products/BTC-USD/candles?start=0&end=${350 * 60}&granularity=ONE_MINUTE`)).toMatchObject({
      status: 400, body: { error: 'INVALID_ARGUMENT', message: 'start and end argument is invalid - number of candles requested should be less than 350' },
    });
    expect((await get(`/api/v3/brokerage/market/products/BTC-USD/candles?start=0&end=${349 * 60}&granularity=ONE_MINUTE`)).status).toBe(200);
    expect((await get('/api/v3/brokerage/market/products/BTC-USD/candles?start=0&end=60&granularity=FOUR_HOUR')).status).toBe(400);
    expect(await get('/api/v3/brokerage/market/products/NOPE-USD/candles?start=0&end=60&granularity=ONE_MINUTE')).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
    expect(await get('/products/NOPE-USD/trades')).toMatchObject({ status: 404, body: { message: 'NotFound' } });
  });

  it('pages trades newest first by cursor: after = the page just below, before = the newest above', async () => {
    const ids = server.trades('BTC-USD').map((t) => t.tradeId);
    const newest = ids.at(-1)!;
    const first = await get('/products/BTC-USD/trades?limit=3');
    expect((first.body as { trade_id: number }[]).map((t) => t.trade_id)).toEqual([newest, newest - 1, newest - 2]);
    expect([first.headers.get('cb-before'), first.headers.get('cb-after')]).toEqual([String(newest), String(newest - 2)]);
    expect(((await get('/products/BTC-USD/trades?after=5010&limit=3')).body as { trade_id: number }[]).map((t) => t.trade_id)).toEqual([5009, 5008, 5007]);
    expect(((await get('/products/BTC-USD/trades?before=5010&limit=2')).body as { trade_id: number }[]).map((t) => t.trade_id)).toEqual([newest, newest - 1]);
    expect((await get('/products/BTC-USD/trades?after=5000')).body, 'below the first trade: an empty page').toEqual([]);
  });

  it('answers queued faults in order, then normally again', async () => {
    server.fault('trades', { kind: 'status', status: 429, retryAfter: '2' });
    server.fault('trades', { kind: 'status', status: 503 });
    server.fault('trades', { kind: 'malformed' });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${server.url}/products/BTC-USD/trades?limit=1`);
      statuses.push([r.status, r.headers.get('retry-after'), (await r.text()).length > 0]);
    }
    expect(statuses).toEqual([[429, '2', true], [503, null, true], [200, null, true]]);
    expect((await get('/products/BTC-USD/trades?limit=1')).status).toBe(200);
  });
});
