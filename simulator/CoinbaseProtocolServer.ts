import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Coinbase's market-data WebSockets that speaks both real protocols (Advanced Trade and
 * Exchange): the 5-second subscribe deadline, one channel per subscribe message (Advanced Trade), cumulative
 * `subscriptions` confirmations, per-connection `sequence_num`, heartbeats, newest-first multi-trade frames,
 * subscription snapshots, and "authentication failure" errors for unknown channels. Tests drive the market
 * (`trade`) and inject faults per connection (drop, stall, lost frames, repeats, arbitrary bytes, sequence
 * numbers that restart lower). Products the server does not list (`unknownProducts`, e.g. delisted) are left out
 * of Advanced Trade's `subscriptions` replies and refused by name on the Exchange feed
 * (`Failed to subscribe`, "<id> is not a valid product", the whole message ignored), until {@link listProducts}.
 * Shapes follow producer/coinbase/fixtures; see producer/coinbase/MAPPING.md for the sources.
 *
 * The tests drive it trade by trade; `make demo` feeds it a synthetic market ({@link CoinbaseSimulator} through
 * {@link SimulatedMarket}) with {@link publish} and an event clock of its own (`clockUs`).
 */

export type Feed = 'advanced-trade' | 'exchange';

export interface TapeTrade {
  readonly productId: string;
  readonly tradeId: number;
  readonly price: string;
  readonly size: string;
  /** Maker side, as Coinbase reports it. */
  readonly makerSide: 'buy' | 'sell';
  readonly timeUs: number;
}

export interface CoinbaseProtocolServerOptions {
  readonly feed: Feed;
  /** Close connections that have not subscribed within this time (Coinbase: 5 s). */
  readonly subscribeDeadlineMs?: number;
  /** Heartbeat period; Coinbase sends one per second. */
  readonly heartbeatIntervalMs?: number;
  /** Recent trades per product replayed on subscribing to market_trades (Advanced Trade). */
  readonly snapshotTrades?: number;
  /** Most trades per `market_trades` event; a frame holds several events when a batch is larger. */
  readonly tradesPerEvent?: number;
  /** First trade id of every product. */
  readonly firstTradeId?: number;
  /** The first N connections get an error instead of a subscriptions confirmation. */
  readonly refuseSubscriptions?: number;
  /** The first N connections are subscribed but never get a subscriptions confirmation. */
  readonly withholdConfirmations?: number;
  /** Products this venue does not know (yet): never confirmed, refused on the Exchange feed. */
  readonly unknownProducts?: readonly string[];
  /** Port to listen on, on 127.0.0.1 (default 0: a free port). */
  readonly port?: number;
  /**
   * The exchange's clock, µs since the epoch: the time of heartbeats, envelopes and of {@link
   * CoinbaseProtocolServer.trade}'s trades (default: the wall clock). A simulated market passes its event time.
   */
  readonly clockUs?: () => number;
  /**
   * Keep each connection's `deliveredTrades` and `lostTrades` (default true: the tests check them). A
   * long-running market turns it off, so that memory stays bounded.
   */
  readonly recordDeliveries?: boolean;
}

const AT_CHANNELS = new Set(['market_trades', 'ticker', 'heartbeats']);
const EX_CHANNELS = new Set(['matches', 'ticker', 'heartbeat']);

function rfc3339(timeUs: number, nanos = false): string {
  const ms = Math.floor(timeUs / 1000);
  const fraction = String(timeUs % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${nanos ? `${fraction}000` : fraction}Z`;
}

function wallClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** One client connection and its faults. */
export class ServerConnection {
  readonly id: number;
  readonly openedAtMs = Date.now();
  /** Channel → products this connection subscribed to. */
  readonly subscriptions = new Map<string, Set<string>>();
  /** Trade ids of each product sent on this connection (snapshots included). */
  readonly deliveredTrades = new Map<string, number[]>();
  /** Trade ids that were "lost": their frames were swallowed by {@link loseNextFrames}. */
  readonly lostTrades = new Map<string, number[]>();
  /** Ticker frames sent on this connection, per product. */
  readonly deliveredQuotes = new Map<string, number>();
  subscribedAtMs: number | null = null;
  closedByDeadline = false;
  /** Every `subscribe` message received on this connection, parsed. */
  readonly subscribeMessages: { readonly channel?: unknown; readonly channels?: unknown; readonly product_ids?: unknown }[] = [];
  #socket: WebSocket;
  #server: CoinbaseProtocolServer;
  #sequence = 0;
  #stalled = false;
  #toLose = 0;
  #lastFrame: string | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #heartbeatCounter = 1000;

  constructor(id: number, socket: WebSocket, server: CoinbaseProtocolServer) {
    this.id = id;
    this.#socket = socket;
    this.#server = server;
  }

  get open(): boolean {
    return this.#socket.readyState === this.#socket.OPEN;
  }

  /** Bytes sent but not yet written to the socket: lets a load generator respect back-pressure. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  /** Closes the TCP connection abruptly, mid-stream. */
  drop(): void {
    this.#socket.terminate();
  }

  /** Goes silent (no data, no heartbeats) while keeping the socket open. */
  stall(): void {
    this.#stalled = true;
  }

  /** The next `count` frames are numbered but never sent, like frames Coinbase drops. */
  loseNextFrames(count: number): void {
    this.#toLose += count;
  }

  /**
   * The next Advanced Trade frame carries `sequence_num` = `value`, and numbering goes on from there: a jump
   * forward (frames lost) or, lower than the last one, a venue-side restart of the numbering.
   */
  setNextSequence(value: number): void {
    this.#sequence = value;
  }

  /** The `sequence_num` the next Advanced Trade frame will carry. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** Sends the last frame again, with its sequence number. */
  repeatLastFrame(): void {
    if (this.#lastFrame !== null) this.#socket.send(this.#lastFrame);
  }

  /** Sends bytes as they are (malformed, oversized or binary frames). */
  sendRaw(data: string | Buffer, binary = false): void {
    this.#socket.send(data, { binary });
  }

  sendError(message: string, reason?: string): void {
    this.#socket.send(JSON.stringify(reason === undefined ? { type: 'error', message } : { type: 'error', message, reason }));
  }

  subscribedTo(channel: string, productId: string): boolean {
    return this.subscriptions.get(channel)?.has(productId) ?? false;
  }

  /** An Advanced Trade data frame: envelope with the next sequence number. */
  sendEnvelope(channel: string, events: unknown[], trades: readonly TapeTrade[] = [], quoteOf: string | null = null): void {
    const frame = JSON.stringify({
      channel, client_id: '', timestamp: rfc3339(this.#server.nowUs(), true), sequence_num: this.#sequence++, events,
    });
    this.#emit(frame, trades, quoteOf);
  }

  /** An Exchange message (it numbers its own `sequence`). */
  sendMessage(message: Record<string, unknown>, trades: readonly TapeTrade[] = [], quoteOf: string | null = null): void {
    this.#emit(JSON.stringify(message), trades, quoteOf);
  }

  #emit(frame: string, trades: readonly TapeTrade[], quoteOf: string | null): void {
    if (this.#stalled || !this.open) return;
    if (quoteOf !== null && this.#toLose === 0) this.deliveredQuotes.set(quoteOf, (this.deliveredQuotes.get(quoteOf) ?? 0) + 1);
    const ledger = this.#toLose > 0 ? this.lostTrades : this.deliveredTrades;
    for (const trade of this.#server.recordDeliveries ? trades : []) {
      const ids = ledger.get(trade.productId) ?? [];
      ids.push(trade.tradeId);
      ledger.set(trade.productId, ids);
    }
    if (this.#toLose > 0) {
      this.#toLose -= 1;
      return;
    }
    this.#lastFrame = frame;
    this.#socket.send(frame);
  }

  startHeartbeats(intervalMs: number): void {
    if (this.#heartbeat !== null || intervalMs <= 0) return;
    this.#heartbeat = setInterval(() => {
      this.#heartbeatCounter += 1;
      if (this.#server.feed === 'advanced-trade') {
        const timeUs = this.#server.nowUs();
        this.sendEnvelope('heartbeats', [{
          current_time: `${rfc3339(timeUs, true).replace('T', ' ').replace('Z', '')} +0000 UTC m=+${this.#heartbeatCounter}.000000001`,
          heartbeat_counter: this.#heartbeatCounter,
        }]);
      } else {
        for (const productId of this.subscriptions.get('heartbeat') ?? []) {
          this.sendMessage({
            type: 'heartbeat', sequence: this.#server.nextExchangeSequence(productId),
            last_trade_id: this.#server.lastTradeId(productId), product_id: productId, time: rfc3339(this.#server.nowUs()),
          });
        }
      }
    }, intervalMs);
  }

  stopTimers(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }
}

export class CoinbaseProtocolServer {
  readonly feed: Feed;
  readonly url: string;
  /** Every trade made, per product, in trade-id order. */
  readonly tape = new Map<string, TapeTrade[]>();
  readonly connections: ServerConnection[] = [];
  readonly #options: Required<CoinbaseProtocolServerOptions>;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #exchangeSequence = new Map<string, number>();
  readonly #forcedSequence = new Map<string, number>();
  readonly #unknownProducts: Set<string>;
  #subscribedWaiters: { count: number; resolve: (c: ServerConnection) => void }[] = [];

  private constructor(options: Required<CoinbaseProtocolServerOptions>, http: Server, wss: WebSocketServer) {
    this.feed = options.feed;
    this.#options = options;
    this.#http = http;
    this.#wss = wss;
    this.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    this.#unknownProducts = new Set(options.unknownProducts);
    wss.on('connection', (socket) => { this.#accept(socket); });
  }

  static async start(options: CoinbaseProtocolServerOptions): Promise<CoinbaseProtocolServer> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, '127.0.0.1', () => { resolve(); });
    });
    return new CoinbaseProtocolServer({
      subscribeDeadlineMs: 5000, heartbeatIntervalMs: 1000, snapshotTrades: 50, tradesPerEvent: 3,
      firstTradeId: 900_000_000, refuseSubscriptions: 0, withholdConfirmations: 0, unknownProducts: [], port: 0,
      clockUs: wallClockUs, recordDeliveries: true, ...options,
    }, http, wss);
  }

  get recordDeliveries(): boolean {
    return this.#options.recordDeliveries;
  }

  /** The exchange's clock (µs): the wall clock, or the simulated market's event time. */
  nowUs(): number {
    return this.#options.clockUs();
  }

  /** The newest connection. */
  get current(): ServerConnection | undefined {
    return this.connections.at(-1);
  }

  /** Resolves with the `n`-th connection (1-based) once it has subscribed to every channel it asked for. */
  subscribed(n: number): Promise<ServerConnection> {
    const connection = this.connections[n - 1];
    if (connection !== undefined && connection.subscribedAtMs !== null) return Promise.resolve(connection);
    return new Promise((resolve) => this.#subscribedWaiters.push({ count: n, resolve }));
  }

  lastTradeId(productId: string): number {
    return this.tape.get(productId)?.at(-1)?.tradeId ?? 0;
  }

  /** Exchange sequences skip (the public channels omit the full channel's order events). */
  nextExchangeSequence(productId: string): number {
    const forced = this.#forcedSequence.get(productId);
    this.#forcedSequence.delete(productId);
    const next = forced ?? (this.#exchangeSequence.get(productId) ?? 10_000) + 1 + Math.floor(Math.random() * 5);
    this.#exchangeSequence.set(productId, next);
    return next;
  }

  /**
   * The product's next Exchange message carries `sequence` = `value` exactly, and later ones go on from it:
   * lower than the last one, a venue-side restart of the numbering (e.g. 26941144 → 624086).
   */
  setNextExchangeSequence(productId: string, value: number): void {
    this.#forcedSequence.set(productId, value);
  }

  /** Products become known (listed): later subscriptions to them are confirmed. */
  listProducts(...productIds: string[]): void {
    for (const productId of productIds) this.#unknownProducts.delete(productId);
  }

  /**
   * `count` new trades of `productId`, sent to every connection subscribed to it: one `market_trades` frame,
   * newest first, plus one ticker (Advanced Trade); one `match` and one `ticker` per trade (Exchange).
   */
  trade(productId: string, count = 1, price = '100.00'): TapeTrade[] {
    const trades = this.tape.get(productId) ?? [];
    this.tape.set(productId, trades);
    const made: TapeTrade[] = [];
    const baseUs = this.nowUs();
    for (let i = 0; i < count; i++) {
      const tradeId = (trades.at(-1)?.tradeId ?? this.#options.firstTradeId - 1) + 1;
      const trade: TapeTrade = {
        productId, tradeId, price, size: `0.${String(tradeId % 1000).padStart(3, '0')}1`,
        makerSide: tradeId % 2 === 0 ? 'buy' : 'sell', timeUs: baseUs + i,
      };
      trades.push(trade);
      made.push(trade);
    }
    for (const connection of this.connections) this.#sendTrades(connection, made, false);
    return made;
  }

  /**
   * Trades made elsewhere (a simulated market), of one product, oldest first, with ids following the tape's:
   * added to the tape and sent like {@link trade}'s, as one `market_trades` frame (Advanced Trade).
   */
  publish(trades: readonly TapeTrade[]): void {
    const productId = trades[0]?.productId;
    if (productId === undefined) return;
    const tape = this.tape.get(productId) ?? [];
    this.tape.set(productId, tape);
    for (const trade of trades) {
      if (trade.productId !== productId) throw new Error(`publish takes one product's trades: ${trade.productId} among ${productId}`);
      tape.push(trade);
    }
    // The tape only needs what snapshots replay; a long-running market must not grow it without bound.
    const keep = Math.max(this.#options.snapshotTrades, 1);
    if (tape.length > 4 * keep + 1000) tape.splice(0, tape.length - keep);
    for (const connection of this.connections) this.#sendTrades(connection, trades, false);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.stopTimers();
      connection.drop();
    }
    await new Promise<void>((resolve) => { this.#wss.close(() => { resolve(); }); });
    await new Promise<void>((resolve) => { this.#http.close(() => { resolve(); }); });
  }

  #sendTrades(connection: ServerConnection, trades: readonly TapeTrade[], snapshot: boolean): void {
    const productId = trades[0]?.productId;
    if (productId === undefined) return;
    if (this.feed === 'advanced-trade') {
      if (connection.subscribedTo('market_trades', productId)) {
        const newestFirst = [...trades].reverse();
        const events: unknown[] = [];
        for (let i = 0; i < newestFirst.length; i += this.#options.tradesPerEvent) {
          events.push({
            type: snapshot ? 'snapshot' : 'update',
            trades: newestFirst.slice(i, i + this.#options.tradesPerEvent).map((t) => ({
              trade_id: String(t.tradeId), product_id: t.productId, price: t.price, size: t.size,
              side: t.makerSide.toUpperCase(), time: rfc3339(t.timeUs),
            })),
          });
        }
        connection.sendEnvelope('market_trades', events, trades);
      }
      const last = trades.at(-1);
      if (last !== undefined && connection.subscribedTo('ticker', productId)) {
        connection.sendEnvelope('ticker', [{ type: snapshot ? 'snapshot' : 'update', tickers: [this.#ticker(last)] }], [], productId);
      }
      return;
    }
    for (const t of trades) {
      if (connection.subscribedTo('matches', productId)) {
        connection.sendMessage({
          type: snapshot ? 'last_match' : 'match', trade_id: t.tradeId, sequence: this.nextExchangeSequence(productId),
          maker_order_id: 'ac928c66-ca53-498f-9c13-a110027a60e8', taker_order_id: '132fb6ae-456b-4654-b4e0-d681ac05cea1',
          time: rfc3339(t.timeUs), product_id: productId, size: t.size, price: t.price, side: t.makerSide,
        }, [t]);
      }
      if (!snapshot && connection.subscribedTo('ticker', productId)) {
        connection.sendMessage({
          type: 'ticker', sequence: this.nextExchangeSequence(productId), product_id: productId, price: t.price,
          best_bid: t.price, best_bid_size: '1.5', best_ask: t.price, best_ask_size: '2.5', side: t.makerSide === 'buy' ? 'sell' : 'buy',
          time: rfc3339(t.timeUs), trade_id: t.tradeId, last_size: t.size,
        }, [], productId);
      }
    }
  }

  #ticker(trade: TapeTrade) {
    return {
      type: 'ticker', product_id: trade.productId, price: trade.price, volume_24_h: '1000', low_24_h: '90', high_24_h: '110',
      low_52_w: '50', high_52_w: '150', price_percent_chg_24_h: '1.5', best_bid: trade.price, best_bid_quantity: '1.5',
      best_ask: trade.price, best_ask_quantity: '2.5',
    };
  }

  #accept(socket: WebSocket): void {
    const connection = new ServerConnection(this.connections.length + 1, socket, this);
    this.connections.push(connection);
    const refuse = connection.id <= this.#options.refuseSubscriptions;
    const deadline = setTimeout(() => {
      connection.closedByDeadline = true;
      socket.close(1008, 'no subscribe message within 5 seconds');
    }, this.#options.subscribeDeadlineMs);
    socket.on('close', () => {
      clearTimeout(deadline);
      connection.stopTimers();
    });
    socket.on('message', (data: Buffer) => {
      let message: { type?: unknown; channel?: unknown; channels?: unknown; product_ids?: unknown };
      try {
        message = JSON.parse(data.toString()) as typeof message;
      } catch {
        connection.sendError('Failed to parse message');
        return;
      }
      if (message.type !== 'subscribe') return;
      clearTimeout(deadline);
      connection.subscribeMessages.push(message);
      const products = Array.isArray(message.product_ids) ? message.product_ids.map(String) : [];
      if (refuse) {
        connection.sendError('Failed to subscribe', 'refused by the test server');
        return;
      }
      if (this.feed === 'advanced-trade') this.#subscribeAdvancedTrade(connection, message.channel, products);
      else this.#subscribeExchange(connection, message.channels, products);
    });
  }

  #subscribeAdvancedTrade(connection: ServerConnection, channel: unknown, products: string[]): void {
    // Coinbase answers an unknown channel name with an authentication failure.
    if (typeof channel !== 'string' || !AT_CHANNELS.has(channel)) {
      connection.sendError('authentication failure');
      return;
    }
    // Unknown products are left out of the confirmation (and get no data), as Coinbase does for delisted ones.
    const known = products.filter((p) => !this.#unknownProducts.has(p));
    const granted = connection.subscriptions.get(channel) ?? new Set<string>();
    for (const p of channel === 'heartbeats' ? ['heartbeats'] : known) granted.add(p);
    connection.subscriptions.set(channel, granted);
    if (connection.id > this.#options.withholdConfirmations) {
      connection.sendEnvelope('subscriptions', [{
        subscriptions: Object.fromEntries([...connection.subscriptions].map(([c, ps]) => [c, [...ps]])),
      }]);
    }
    if (channel === 'heartbeats') connection.startHeartbeats(this.#options.heartbeatIntervalMs);
    if (channel === 'market_trades' || channel === 'ticker') {
      for (const productId of known) {
        const recent = this.#options.snapshotTrades === 0 ? [] : (this.tape.get(productId) ?? []).slice(-this.#options.snapshotTrades);
        if (recent.length === 0) continue;
        if (channel === 'market_trades') this.#sendTrades(connection, recent, true);
        else connection.sendEnvelope('ticker', [{ type: 'snapshot', tickers: [this.#ticker(recent.at(-1) as TapeTrade)] }], [], productId);
      }
    }
    this.#checkSubscribed(connection);
  }

  #subscribeExchange(connection: ServerConnection, channels: unknown, products: string[]): void {
    const names = Array.isArray(channels) ? channels.map((c) => (typeof c === 'string' ? c : String((c as { name?: unknown }).name))) : [];
    if (names.length === 0) {
      connection.sendError('Failed to subscribe', 'No channels provided');
      return;
    }
    // One unknown product fails the whole message, naming it (the shape gocryptotrader#1421 logged).
    const unknown = products.find((p) => this.#unknownProducts.has(p));
    if (unknown !== undefined) {
      connection.sendError('Failed to subscribe', `${unknown} is not a valid product`);
      return;
    }
    for (const name of names) {
      if (!EX_CHANNELS.has(name)) {
        connection.sendError('Failed to subscribe', `${name} is not a valid channel`);
        return;
      }
      const granted = connection.subscriptions.get(name) ?? new Set<string>();
      for (const p of products) granted.add(p);
      connection.subscriptions.set(name, granted);
    }
    if (connection.id > this.#options.withholdConfirmations) {
      connection.sendMessage({
        type: 'subscriptions',
        channels: [...connection.subscriptions].map(([name, ps]) => ({ name, product_ids: [...ps] })),
      });
    }
    if (names.includes('heartbeat')) connection.startHeartbeats(this.#options.heartbeatIntervalMs);
    if (names.includes('matches')) {
      for (const productId of products) {
        const last = this.tape.get(productId)?.at(-1);
        if (last !== undefined) this.#sendTrades(connection, [last], true);
      }
    }
    this.#checkSubscribed(connection);
  }

  #checkSubscribed(connection: ServerConnection): void {
    const wanted = this.feed === 'advanced-trade' ? AT_CHANNELS : EX_CHANNELS;
    if (connection.subscribedAtMs !== null || ![...wanted].every((c) => connection.subscriptions.has(c))) return;
    connection.subscribedAtMs = Date.now();
    const ready = this.#subscribedWaiters.filter((w) => w.count === connection.id);
    this.#subscribedWaiters = this.#subscribedWaiters.filter((w) => w.count !== connection.id);
    for (const waiter of ready) waiter.resolve(connection);
  }
}
