import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GRANULARITIES, type Granularity } from '../../backfill/core/granularity.js';
import { TokenBucket } from '../../backfill/core/TokenBucket.js';

/**
 * A local stand-in for Coinbase's two public REST market-data endpoints, as backfill/COINBASE_REST.md
 * documents them, over a deterministic market generated from a seed:
 *
 * - Advanced Trade `GET /api/v3/brokerage/market/products/{id}/candles?start&end&granularity`: UNIX-second
 *   bounds (both inclusive here), the eight granularities, more than 350 candles → `400 INVALID_ARGUMENT
 *   "number of candles requested should be less than 350"`, `{"candles":[{start, low, high, open, close,
 *   volume}]}` as strings, newest first, intervals without trades omitted; unknown product → 404.
 * - Exchange `GET /products/{id}/trades?limit&after&before`: newest first, at most 1000, `after=c` the page
 *   just below cursor c, `before=c` the newest trades above c (the live service's behaviour), `CB-BEFORE` /
 *   `CB-AFTER` headers with the first and last id of the page; unknown product → `404 {"message":"NotFound"}`.
 *
 * Candles are computed from the generated trades, so the two endpoints agree. Faults are queued per endpoint
 * (`fault`): 429 with or without `Retry-After`, 5xx, a malformed body, arbitrary bytes; `rateLimit` makes
 * the server itself answer 429 above a token-bucket rate, as Coinbase does. Every request is recorded.
 */

export interface RestMarketSpec {
  readonly productId: string;
  /** The market's first minute (UNIX seconds, a multiple of 60) and the end of its last, exclusive. */
  readonly fromS: number;
  readonly toS: number;
  /** Average trades per traded minute. */
  readonly tradesPerMinute?: number;
  /** Fraction of minutes without any trade (their candles are omitted). */
  readonly quietFraction?: number;
  readonly firstTradeId?: number;
  /** Start price in cents. */
  readonly startPriceCents?: number;
}

export interface RestTrade {
  readonly tradeId: number;
  readonly timeUs: number;
  readonly priceCents: number;
  /** Base units of 1e-8. */
  readonly sizeSats: number;
  /** The maker's side, as Coinbase reports it. */
  readonly makerSide: 'buy' | 'sell';
}

export interface RestCandle {
  readonly start: number;
  readonly low: string;
  readonly high: string;
  readonly open: string;
  readonly close: string;
  readonly volume: string;
}

export type RestFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'body'; readonly body: string };

export type Endpoint = 'candles' | 'trades';

export interface RecordedRequest {
  readonly endpoint: Endpoint | 'other';
  readonly url: string;
  readonly status: number;
  readonly atMs: number;
}

export interface CoinbaseRestServerOptions {
  readonly seed: number;
  readonly markets: readonly RestMarketSpec[];
  /** Answer 429 (`{"message":"Rate limit exceeded"}`) above this rate, as Coinbase does per IP. */
  readonly rateLimit?: { readonly ratePerS: number; readonly burst: number };
  /** Replace fields of generated candles (by product, granularity and start), e.g. `{ high: '1' }` for high < low. */
  readonly candleOverrides?: readonly { readonly productId: string; readonly granularityS: number; readonly start: number; readonly fields: Partial<Record<'low' | 'high' | 'open' | 'close' | 'volume', string>> }[];
  /** Delay of every answer, ms. */
  readonly latencyMs?: number;
  readonly port?: number;
}

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const formatCents = (c: number): string => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
export const formatSats = (s: number): string => `${Math.floor(s / 1e8)}.${String(s % 1e8).padStart(8, '0')}`;

export function rfc3339Us(timeUs: number): string {
  return `${new Date(Math.floor(timeUs / 1000)).toISOString().slice(0, 19)}.${String(timeUs % 1_000_000).padStart(6, '0')}Z`;
}

/** The deterministic trades of one market (ids consecutive from `firstTradeId`, time ascending). */
export function generateTrades(spec: RestMarketSpec, seed: number): RestTrade[] {
  const random = prng(seed ^ Array.from(spec.productId, (c) => c.charCodeAt(0)).reduce((h, c) => Math.imul(h, 31) + c, 7));
  const trades: RestTrade[] = [];
  let id = spec.firstTradeId ?? 1_000_000;
  let price = spec.startPriceCents ?? 9_000_000;
  const perMinute = spec.tradesPerMinute ?? 3;
  for (let minute = spec.fromS; minute < spec.toS; minute += 60) {
    if (random() < (spec.quietFraction ?? 0.05)) continue;
    const n = 1 + Math.floor(random() * (2 * perMinute - 1));
    const offsets = Array.from({ length: n }, () => Math.floor(random() * 60_000_000)).sort((a, b) => a - b);
    for (const offset of offsets) {
      price = Math.max(100, price + Math.round((random() - 0.5) * price * 0.001));
      trades.push({ tradeId: id++, timeUs: minute * 1_000_000 + offset, priceCents: price, sizeSats: 1 + Math.floor(random() * 50_000_000), makerSide: random() < 0.5 ? 'buy' : 'sell' });
    }
  }
  return trades;
}

/** Candles of `granularityS` from trades (ascending), intervals without trades omitted. */
export function candlesOf(trades: readonly RestTrade[], granularityS: number): RestCandle[] {
  type Bucket = { start: number; o: number; h: number; l: number; c: number; v: number };
  const candles: RestCandle[] = [];
  let current = null as Bucket | null;
  const push = () => {
    if (current !== null) candles.push({ start: current.start, open: formatCents(current.o), high: formatCents(current.h), low: formatCents(current.l), close: formatCents(current.c), volume: formatSats(current.v) });
  };
  for (const t of trades) {
    const start = Math.floor(t.timeUs / 1_000_000 / granularityS) * granularityS;
    if (current?.start !== start) {
      push();
      current = { start, o: t.priceCents, h: t.priceCents, l: t.priceCents, c: t.priceCents, v: 0 };
    }
    current.h = Math.max(current.h, t.priceCents);
    current.l = Math.min(current.l, t.priceCents);
    current.c = t.priceCents;
    current.v += t.sizeSats;
  }
  push();
  return candles;
}

const CANDLES_PATH = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/candles$/;
const TRADES_PATH = /^\/products\/([^/]+)\/trades$/;

export class CoinbaseRestServer {
  readonly requests: RecordedRequest[] = [];
  readonly #http: Server;
  readonly #options: CoinbaseRestServerOptions;
  readonly #trades = new Map<string, RestTrade[]>();
  readonly #candles = new Map<string, RestCandle[]>();
  readonly #faults: Record<Endpoint, RestFault[]> = { candles: [], trades: [] };
  readonly #bucket: TokenBucket | null;

  private constructor(options: CoinbaseRestServerOptions, http: Server) {
    this.#options = options;
    this.#http = http;
    for (const market of options.markets) this.#trades.set(market.productId, generateTrades(market, options.seed));
    this.#bucket = options.rateLimit === undefined ? null : new TokenBucket(options.rateLimit.ratePerS, options.rateLimit.burst, Date.now());
    http.on('request', (req, res) => { this.#handle(req, res); });
  }

  static async start(options: CoinbaseRestServerOptions): Promise<CoinbaseRestServer> {
    const http = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, '127.0.0.1', () => { resolve(); });
    });
    return new CoinbaseRestServer(options, http);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  /** Every trade the server holds for a product, ascending. */
  trades(productId: string): readonly RestTrade[] {
    return this.#trades.get(productId) ?? [];
  }

  /** Every candle the server holds for a product and granularity, ascending, overrides applied. */
  candles(productId: string, granularityS: number): readonly RestCandle[] {
    const key = `${productId} ${granularityS}`;
    let candles = this.#candles.get(key);
    if (candles === undefined) {
      const overrides = (this.#options.candleOverrides ?? []).filter((o) => o.productId === productId && o.granularityS === granularityS);
      candles = candlesOf(this.trades(productId), granularityS).map((c) => ({ ...c, ...overrides.find((o) => o.start === c.start)?.fields }));
      this.#candles.set(key, candles);
    }
    return candles;
  }

  /** The next `count` requests to `endpoint` get `fault` instead of their answer. */
  fault(endpoint: Endpoint, fault: RestFault, count = 1): void {
    for (let i = 0; i < count; i++) this.#faults[endpoint].push(fault);
  }

  async close(): Promise<void> {
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => { this.#http.close(() => { resolve(); }); });
  }

  #handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const endpoint: Endpoint | 'other' = CANDLES_PATH.test(url.pathname) ? 'candles' : TRADES_PATH.test(url.pathname) ? 'trades' : 'other';
    const send = (status: number, body: string, headers: Record<string, string> = {}): true => {
      this.requests.push({ endpoint, url: url.pathname + url.search, status, atMs: Date.now() });
      const write = () => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body);
      };
      if ((this.#options.latencyMs ?? 0) > 0) setTimeout(write, this.#options.latencyMs);
      else write();
      return true;
    };
    if (req.method !== 'GET') return send(404, '{"message":"NotFound"}');
    if (this.#bucket !== null && !this.#bucket.tryTake(Date.now())) return send(429, '{"message":"Rate limit exceeded"}');
    if (endpoint === 'other') return send(404, '{"message":"NotFound"}');
    const fault = this.#faults[endpoint].shift();
    if (fault !== undefined) {
      if (fault.kind === 'status') return send(fault.status, fault.body ?? (fault.status === 429 ? '{"message":"Rate limit exceeded"}' : '{"message":"Internal server error"}'), fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      return send(200, fault.kind === 'malformed' ? (endpoint === 'candles' ? '{"candles":[{"start":"17' : '[{"trade_id":') : fault.body);
    }
    if (endpoint === 'candles') return this.#candlesAnswer(url, send);
    return this.#tradesAnswer(url, send);
  }

  #candlesAnswer(url: URL, send: (status: number, body: string, headers?: Record<string, string>) => true): true {
    const productId = CANDLES_PATH.exec(url.pathname)?.[1] ?? '';
    if (!this.#trades.has(productId)) return send(404, JSON.stringify({ error: 'NOT_FOUND', error_details: `Product ${productId} not supported`, message: `Product ${productId} not supported` }));
    const granularity = url.searchParams.get('granularity') ?? 'UNKNOWN_GRANULARITY';
    const invalid = (details: string): true => send(400, JSON.stringify({ error: 'INVALID_ARGUMENT', error_details: details, message: details }));
    if (!Object.hasOwn(GRANULARITIES, granularity)) return invalid(`invalid granularity ${granularity}`);
    const g = GRANULARITIES[granularity as Granularity];
    const [start, end] = [Number(url.searchParams.get('start')), Number(url.searchParams.get('end'))];
    if (!Number.isInteger(start) || !Number.isInteger(end) || end < start) return invalid('start and end argument is invalid');
    if (Math.floor((end - start) / g) + 1 > 350) return invalid('start and end argument is invalid - number of candles requested should be less than 350');
    const candles = this.candles(productId, g).filter((c) => c.start >= start && c.start <= end).reverse();
    return send(200, JSON.stringify({ candles: candles.map((c) => ({ ...c, start: String(c.start) })) }));
  }

  #tradesAnswer(url: URL, send: (status: number, body: string, headers?: Record<string, string>) => true): true {
    const productId = TRADES_PATH.exec(url.pathname)?.[1] ?? '';
    const trades = this.#trades.get(productId);
    if (trades === undefined) return send(404, '{"message":"NotFound"}');
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 1000) || 1000));
    const after = url.searchParams.get('after');
    const before = url.searchParams.get('before');
    let page: RestTrade[];
    if (after !== null) {
      const below = trades.filter((t) => t.tradeId < Number(after));
      page = below.slice(-limit);
    } else if (before !== null) {
      page = trades.filter((t) => t.tradeId > Number(before)).slice(-limit);
    } else {
      page = trades.slice(-limit);
    }
    page = page.reverse();
    const headers: Record<string, string> = page.length === 0 ? {} : { 'cb-before': String(page[0]?.tradeId), 'cb-after': String(page.at(-1)?.tradeId) };
    return send(200, JSON.stringify(page.map((t) => ({ time: rfc3339Us(t.timeUs), trade_id: t.tradeId, price: formatCents(t.priceCents), size: formatSats(t.sizeSats), side: t.makerSide }))), headers);
  }
}
