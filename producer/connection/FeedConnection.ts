import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { ProducerMetrics } from '../../metrics/producerMetrics.js';
import type { RawFrame } from '../../wire/rawFrameRecord.js';
import type { FeedProtocol } from '../feed/FeedProtocol.js';
import { FeedSession, type FrameOutcome, type StartGap, type SubscriptionUpdate } from '../feed/FeedSession.js';
import type { FeedState } from '../feed/FeedState.js';
import { backoffDelayMs, type BackoffPolicy } from './backoffDelayMs.js';
import { ReachabilityLog } from './ReachabilityLog.js';

/** Why a connection ended: the label of `producer_ws_reconnects_total`. */
export const DISCONNECT_REASONS = ['closed', 'error', 'stall', 'subscribe_timeout', 'subscribe_error', 'overflow', 'oversized'] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

export interface FeedConnectionOptions {
  readonly url: string;
  readonly protocol: FeedProtocol;
  readonly productIds: readonly string[];
  readonly state: FeedState;
  readonly maxFrameBytes: number;
  readonly stallTimeoutMs: number;
  readonly subscribeTimeoutMs: number;
  /** How often to ask again, on the same connection, for products Coinbase did not confirm. */
  readonly resubscribeIntervalMs: number;
  readonly backoff: BackoffPolicy;
  readonly nowUs: () => number;
  readonly logger: Logger;
  readonly metrics: ProducerMetrics;
  /** Every frame received, with what the session made of it; returns whether it was kept. Must not block. */
  readonly onFrame: (frame: RawFrame, outcome: FrameOutcome) => boolean;
  /** A frame the transport refused (larger than 4 × maxFrameBytes): its bytes are gone, only the fact remains. */
  readonly onRefusedFrame: (connectionId: string, detail: string) => void;
  /** Awaited before every connection attempt: the producer waits here for room in its queue. */
  readonly beforeConnect: () => Promise<void>;
}

/** A confirmed connection that lasted this long resets the backoff; shorter ones keep backing off. */
const STABLE_AFTER_MS = 10_000;
/** While Coinbase stays unreachable, a summary of the attempts this often. */
const UNREACHABLE_SUMMARY_EVERY_MS = 300_000;

/** Merges what the last connection left unreported with why it ended. */
function nextStartGap(pending: StartGap | null, reason: DisconnectReason, dropped: number): StartGap {
  if (reason !== 'overflow' && pending?.reason !== 'overflow') return { reason: 'reconnect', missed: null };
  const missed = (pending?.reason === 'overflow' ? pending.missed ?? 0 : 0) + dropped;
  return { reason: 'overflow', missed: missed > 0 ? missed : null };
}

/**
 * The WebSocket edge of the producer: connects, subscribes within Coinbase's 5-second deadline, confirms the
 * subscriptions, replaces connections that go silent (watchdog) or end, with jittered exponential backoff and
 * a full resubscribe, and hands every frame to a fresh {@link FeedSession} per connection. Products Coinbase
 * leaves out of its answer do not cost the others their connection: they are reported and asked for again on
 * the same connection every `resubscribeIntervalMs`.
 */
export class FeedConnection {
  readonly #o: FeedConnectionOptions;
  #running: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  readonly #abort = new AbortController();
  #socket: WebSocket | null = null;
  #end: ((reason: DisconnectReason) => void) | null = null;
  #dropped = 0;
  readonly #reachability: ReachabilityLog;

  constructor(options: FeedConnectionOptions) {
    this.#o = options;
    this.#reachability = new ReachabilityLog({
      logger: options.logger, url: options.url, retryUpToMs: options.backoff.maxMs, summaryEveryMs: UNREACHABLE_SUMMARY_EVERY_MS,
    });
    // Every reason exists from the start at 0, so dashboards and rates see a reconnect as an increase.
    for (const reason of DISCONNECT_REASONS) options.metrics.reconnects.inc({ reason }, 0);
    for (const product of options.productIds) options.metrics.unconfirmedProducts.set({ product }, 0);
  }

  /** Starts connecting; `firstGap` is what the first connection reports (e.g. a restart of the producer). */
  start(firstGap: StartGap | null = null): void {
    this.#running ??= this.#run(firstGap);
  }

  /**
   * The producer could not keep a frame (its queue is full): count it and replace the connection, so that
   * intake stops until there is room and the next subscription's snapshot resynchronises the stream.
   */
  dropped(): void {
    this.#dropped += 1;
    this.#end?.('overflow');
  }

  /** Stops intake: closes the socket and makes no further attempts. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    this.#wake?.();
    const socket = this.#socket;
    if (socket !== null && socket.readyState !== WebSocket.CLOSED) {
      socket.close(1000, 'shutting down');
      const forced = setTimeout(() => { socket.terminate(); }, 2000);
      forced.unref();
    }
    await this.#running;
  }

  async #run(firstGap: StartGap | null): Promise<void> {
    let attempt = 0;
    let startGap = firstGap;
    let lastReason: DisconnectReason | null = null;
    while (!this.#isStopping()) {
      if (lastReason !== null) {
        this.#o.metrics.reconnects.inc({ reason: lastReason });
        const delayMs = backoffDelayMs(attempt, this.#o.backoff);
        attempt += 1;
        // While Coinbase is unreachable, ReachabilityLog says so once; each retry is detail.
        this.#o.logger[this.#reachability.unreachable ? 'debug' : 'info']({ reason: lastReason, attempt, delayMs }, 'reconnecting to Coinbase');
        await this.#wait(sleep(delayMs, undefined, { signal: this.#abort.signal }).catch(() => undefined));
      }
      await this.#wait(this.#o.beforeConnect());
      if (this.#isStopping()) break;
      const result = await this.#connectOnce(startGap);
      if (result.confirmed && result.upForMs >= STABLE_AFTER_MS) attempt = 0;
      lastReason = result.reason;
      startGap = nextStartGap(result.pendingGap, result.reason, this.#dropped);
      this.#dropped = 0;
    }
  }

  /** Publishes which products stream and which Coinbase left out (log and `producer_unconfirmed_products`). */
  #report(log: Logger, update: SubscriptionUpdate): void {
    for (const product of this.#o.productIds) this.#o.metrics.unconfirmedProducts.set({ product }, update.unconfirmed.includes(product) ? 1 : 0);
    if (update.pickedUp.length > 0) log.info({ products: update.pickedUp }, 'Coinbase now confirms products it had left out: streaming them');
    if (update.unconfirmed.length > 0) {
      log.warn(
        { unconfirmed: update.unconfirmed, streaming: update.streaming, resubscribeIntervalMs: this.#o.resubscribeIntervalMs },
        'Coinbase did not confirm these products; streaming the others and asking again periodically',
      );
    }
  }

  /** A call, not a field read: the flag changes across awaits, which narrowing cannot see. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  async #wait(promise: Promise<unknown>): Promise<void> {
    if (this.#stopping) return;
    await Promise.race([promise, new Promise<void>((resolve) => { this.#wake = resolve; })]);
    this.#wake = null;
  }

  #connectOnce(startGap: StartGap | null): Promise<{ reason: DisconnectReason; confirmed: boolean; upForMs: number; pendingGap: StartGap | null }> {
    const { protocol, logger, metrics } = this.#o;
    const connectionId = randomUUID();
    const log = logger.child({ connectionId });
    const session = new FeedSession({
      protocol, productIds: this.#o.productIds, state: this.#o.state, connectionId,
      maxFrameBytes: this.#o.maxFrameBytes, startGap,
    });
    const socket = new WebSocket(this.#o.url, { maxPayload: 4 * this.#o.maxFrameBytes, handshakeTimeout: 10_000 });
    this.#socket = socket;
    const openedAt = Date.now();
    let reason: DisconnectReason | null = null;
    // An attempt whose connection never opens is not a connection: no stall, no "closed", one ReachabilityLog entry.
    let opened = false;
    let failure: (Error & { code?: string }) | null = null;
    const notOpened = (what: string) => {
      failure ??= Object.assign(new Error(what), { code: 'ETIMEDOUT' });
      end('error');
    };
    const end = (why: DisconnectReason) => {
      if (reason !== null) return;
      reason = why;
      socket.terminate();
    };
    this.#end = end;

    const watchdog = setTimeout(() => {
      if (!opened) {
        notOpened(`no connection within ${this.#o.stallTimeoutMs} ms`);
        return;
      }
      metrics.watchdogStalls.inc();
      log.warn({ stallTimeoutMs: this.#o.stallTimeoutMs }, 'no frame within the stall timeout; replacing the connection');
      end('stall');
    }, this.#o.stallTimeoutMs);
    const subscribeTimer = setTimeout(() => {
      if (!opened) {
        notOpened(`no connection within ${this.#o.subscribeTimeoutMs} ms`);
        return;
      }
      log.warn({ missing: session.missingSubscriptions }, 'subscriptions not confirmed in time; reconnecting');
      end('subscribe_timeout');
    }, this.#o.subscribeTimeoutMs);
    let resubscribeTimer: NodeJS.Timeout | null = null;
    const send = (messages: readonly string[]) => {
      if (reason !== null || socket.readyState !== WebSocket.OPEN) return;
      for (const message of messages) socket.send(message);
    };
    const resubscribe = () => {
      const messages = session.resubscribeMessages();
      if (messages.length === 0) return;
      metrics.resubscribes.inc();
      log.info({ products: session.unconfirmedProducts }, 'asking Coinbase again for the products it has not confirmed');
      send(messages);
    };

    socket.on('open', () => {
      opened = true;
      this.#reachability.opened();
      watchdog.refresh();
      subscribeTimer.refresh();
      send(session.subscribeMessages());
      log.info({ url: this.#o.url, products: this.#o.productIds }, 'connected; subscribing');
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (reason !== null) {
        // The socket still delivers what it had buffered after terminate(). Publishing it could put a later
        // trade ahead of earlier ones that the next snapshot re-delivers, so it is discarded; after an
        // overflow it counts as dropped.
        if (reason === 'overflow') {
          this.#dropped += 1;
          metrics.queueOverflowFrames.inc();
        }
        return;
      }
      watchdog.refresh();
      const frame: RawFrame = { source: protocol.source, connectionId, receivedAtUs: this.#o.nowUs(), payload: data };
      const outcome = session.handle(frame, isBinary);
      if (outcome.refusedProduct !== null) {
        log.warn({ product: outcome.refusedProduct, error: outcome.error }, 'Coinbase refused a product; subscribing to the others');
      }
      send(outcome.subscribe);
      if (outcome.confirmedNow) {
        clearTimeout(subscribeTimer);
        metrics.connected.set(1);
        log.info({ products: outcome.subscriptionUpdate?.streaming ?? [] }, 'subscriptions confirmed');
        resubscribeTimer = setInterval(resubscribe, this.#o.resubscribeIntervalMs);
      }
      if (outcome.subscriptionUpdate !== null) this.#report(log, outcome.subscriptionUpdate);
      if (this.#o.onFrame(frame, outcome)) session.commit(outcome);
      // An error that names a product refuses only that product; any other before the answer ends the connection.
      if (outcome.error !== null && !session.confirmed && outcome.refusedProduct === null) end('subscribe_error');
    });
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.#o.onRefusedFrame(connectionId, `${error.message} (limit ${4 * this.#o.maxFrameBytes} bytes)`);
        end('oversized');
        return;
      }
      if (!opened) {
        failure ??= error;
        end('error');
        return;
      }
      log.warn({ err: error }, 'WebSocket error');
      end('error');
    });

    return new Promise((resolve) => {
      socket.on('close', (code: number, why: Buffer) => {
        clearTimeout(watchdog);
        clearTimeout(subscribeTimer);
        if (resubscribeTimer !== null) clearInterval(resubscribeTimer);
        metrics.connected.set(0);
        this.#socket = null;
        this.#end = null;
        if (opened) {
          log.info({ code, reason: why.toString(), upForMs: Date.now() - openedAt }, 'connection closed');
        } else {
          log.debug({ code, reason: why.toString() }, 'connection attempt ended before the connection opened');
          if (!this.#isStopping()) this.#reachability.failed(failure ?? new Error(`closed before opening (code ${code})`));
        }
        resolve({ reason: reason ?? 'closed', confirmed: session.confirmed, upForMs: Date.now() - openedAt, pendingGap: session.pendingGap });
      });
    });
  }
}
