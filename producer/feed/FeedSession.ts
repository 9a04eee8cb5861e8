import type { DeadLetter } from '../../wire/deadLetterRecord.js';
import type { GapReason, MarketEvent, Source } from '../../wire/MarketEvent.js';
import { WIRE_VERSION } from '../../wire/MarketEvent.js';
import type { RawFrame } from '../../wire/rawFrameRecord.js';
import { compareTradeIds } from '../coinbase/compareTradeIds.js';
import type { ExtractedTrade, FeedProtocol, FrameContent } from './FeedProtocol.js';
import type { FeedState } from './FeedState.js';
import { SequenceTracker } from './SequenceTracker.js';

/** Why the previous connection ended, when it matters to the data: the next connection reports a gap. */
export interface StartGap {
  readonly reason: Extract<GapReason, 'reconnect' | 'overflow'>;
  /** Frames known to be lost (dropped on overflow); null when unknown. */
  readonly missed: number | null;
}

/** Everything one frame produced; the edge turns it into Kafka records, metrics and logs. */
export interface FrameOutcome {
  /** Channel or message type of a valid frame, `invalid` otherwise: a bounded metric label. */
  readonly channel: string;
  readonly events: readonly MarketEvent[];
  readonly deadLetter: DeadLetter | null;
  /** Frames missed before this one on a consecutive sequence; 0 when none. */
  readonly sequenceGap: number;
  /** The frame repeated or predated one already seen (within the reorder window), and was dropped. */
  readonly duplicateFrame: boolean;
  /**
   * The sequence restarted lower in the middle of the connection (a venue-side restart): the frame was kept
   * as the new baseline and a `sequence_reset` gap marker published.
   */
  readonly sequenceReset: { readonly stream: string; readonly from: number; readonly to: number } | null;
  /** Trades dropped because the same (product, trade id) was already published. */
  readonly duplicateTrades: number;
  /**
   * This frame completed Coinbase's answer to the connection's subscription: its `subscriptions` replies are
   * in, with every channel present. Products it leaves out are in {@link subscriptionUpdate}.
   */
  readonly confirmedNow: boolean;
  /** Which products stream and which Coinbase has not confirmed: set when the answer completes or changes. */
  readonly subscriptionUpdate: SubscriptionUpdate | null;
  /** Messages to send now on this connection (a subscribe again without a product Coinbase refused by name). */
  readonly subscribe: readonly string[];
  /** A requested product that an error frame named: Coinbase refused it, the others are asked for again. */
  readonly refusedProduct: string | null;
  readonly error: { readonly message: string; readonly reason: string | null } | null;
}

/** The products of a connection whose subscription Coinbase answered. */
export interface SubscriptionUpdate {
  /** Confirmed on every product channel: their data streams. */
  readonly streaming: readonly string[];
  /** Requested but not confirmed (unknown, delisted, refused): asked for again at a slow pace. */
  readonly unconfirmed: readonly string[];
  /** Products that were unconfirmed on this connection and now are confirmed. */
  readonly pickedUp: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function outcome(channel: string, fields: Partial<FrameOutcome> = {}): FrameOutcome {
  return {
    channel, events: [], deadLetter: null, sequenceGap: 0, duplicateFrame: false, sequenceReset: null, duplicateTrades: 0,
    confirmedNow: false, subscriptionUpdate: null, subscribe: [], refusedProduct: null, error: null, ...fields,
  };
}

/** Trades grouped by product (first appearance), each group oldest first: Coinbase batches newest first. */
function oldestFirst(trades: readonly ExtractedTrade[]): ExtractedTrade[] {
  const byProduct = new Map<string, ExtractedTrade[]>();
  for (const trade of trades) {
    const group = byProduct.get(trade.productId);
    if (group === undefined) byProduct.set(trade.productId, [trade]);
    else group.push(trade);
  }
  return [...byProduct.values()].flatMap((group) => group.sort((a, b) => compareTradeIds(a.tradeId, b.tradeId)));
}

/**
 * The integrity rules of one WebSocket connection, for any protocol: frame validation and dead letters,
 * sequence gaps and repeats, subscription confirmation, trade ordering and de-duplication, gap markers.
 * Pure and synchronous: frames in, outcomes out; what was published is recorded by {@link commit}.
 */
export class FeedSession {
  readonly #protocol: FeedProtocol;
  readonly #productIds: readonly string[];
  readonly #state: FeedState;
  readonly #connectionId: string;
  readonly #maxFrameBytes: number;
  readonly #sequence = new SequenceTracker();
  #pendingGap: { reason: GapReason; missed: number | null } | null;
  #confirmed = false;
  #missingSubscriptions: readonly string[];
  /** Replies owed: one `subscriptions` frame (or error) per subscribe message sent before the answer. */
  #repliesOwed: number;
  #refused = new Set<string>();
  #streaming: readonly string[] = [];

  constructor(options: {
    protocol: FeedProtocol;
    productIds: readonly string[];
    state: FeedState;
    connectionId: string;
    maxFrameBytes: number;
    startGap: StartGap | null;
  }) {
    this.#protocol = options.protocol;
    this.#productIds = options.productIds;
    this.#state = options.state;
    this.#connectionId = options.connectionId;
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#pendingGap = options.startGap;
    this.#missingSubscriptions = Object.keys(options.protocol.requiredSubscriptions(options.productIds));
    this.#repliesOwed = options.protocol.subscribeMessages(options.productIds).length;
  }

  /** The messages that open the connection's subscription. */
  subscribeMessages(): readonly string[] {
    return this.#protocol.subscribeMessages(this.#productIds);
  }

  /** Requested products Coinbase has not confirmed, once it answered the subscription; empty before. */
  get unconfirmedProducts(): readonly string[] {
    return this.#confirmed ? this.#productIds.filter((p) => !this.#streaming.includes(p)) : [];
  }

  /**
   * Messages asking again, on this connection, for the products Coinbase has not confirmed (none before it
   * answered, or when every product streams). A product that now exists appears in the next `subscriptions`.
   */
  resubscribeMessages(): readonly string[] {
    const unconfirmed = this.unconfirmedProducts;
    for (const productId of unconfirmed) this.#refused.delete(productId);
    return unconfirmed.length === 0 ? [] : this.#protocol.productSubscribeMessages(unconfirmed);
  }

  get confirmed(): boolean {
    return this.#confirmed;
  }

  /** A gap this connection has not been able to report yet (no frame with an exchange time arrived). */
  get pendingGap(): StartGap | null {
    const gap = this.#pendingGap;
    if (gap === null || (gap.reason !== 'reconnect' && gap.reason !== 'overflow')) return null;
    return { reason: gap.reason, missed: gap.missed };
  }

  /** Channels or `channel:product` pairs the server has not confirmed yet. */
  get missingSubscriptions(): readonly string[] {
    return this.#missingSubscriptions;
  }

  handle(frame: RawFrame, isBinary: boolean): FrameOutcome {
    if (frame.payload.length > this.#maxFrameBytes) {
      return this.#invalid(frame, 'oversized', `${frame.payload.length} bytes exceeds the ${this.#maxFrameBytes}-byte limit`);
    }
    if (isBinary) return this.#invalid(frame, 'binary', 'binary frame');
    let json: unknown;
    try {
      json = JSON.parse(utf8.decode(frame.payload));
    } catch (error) {
      return this.#invalid(frame, 'unparseable', error instanceof Error ? error.message.slice(0, 200) : 'not JSON');
    }
    const parsed = this.#protocol.parse(json);
    if (!parsed.ok) return this.#invalid(frame, parsed.reason, parsed.detail);
    const content = parsed.content;

    let sequenceGap = 0;
    let sequenceReset: FrameOutcome['sequenceReset'] = null;
    const resetGaps: MarketEvent[] = [];
    if (content.sequence !== null) {
      const carriesNewTrades = content.trades.some((t) => !this.#state.dedupe.has(t.productId, t.tradeId));
      const verdict = this.#sequence.check(content.sequence, carriesNewTrades);
      if (verdict.kind === 'duplicate') return outcome(content.channel, { duplicateFrame: true });
      if (verdict.kind === 'reset') {
        sequenceReset = { stream: content.sequence.stream, from: verdict.from, to: verdict.to };
        const productId = content.sequence.productId;
        if (productId !== null && content.exchangeTimeUs !== null) {
          resetGaps.push(this.#gap(productId, 'sequence_reset', null, content.exchangeTimeUs, frame));
        } else {
          // A connection-wide stream: every product, at this frame or the next one with a time. A reconnect or
          // overflow not reported yet already covers it.
          this.#pendingGap ??= { reason: 'sequence_reset', missed: null };
        }
      }
      if (verdict.kind === 'gap') {
        sequenceGap = verdict.missed;
        // A reconnect or overflow not yet reported already covers this gap; add what is now known to be lost.
        const pending = this.#pendingGap;
        this.#pendingGap = pending === null
          ? { reason: 'sequence', missed: verdict.missed }
          : { reason: pending.reason, missed: pending.missed === null ? null : pending.missed + verdict.missed };
      }
    }

    const wasConfirmed = this.#confirmed;
    const streamingBefore = this.#streaming;
    let subscribe: readonly string[] = [];
    let refusedProduct: string | null = null;
    if (content.subscriptions !== null) this.#confirm(content.subscriptions);
    if (content.error !== null) {
      refusedProduct = this.#refusedBy(content.error);
      if (refusedProduct !== null) subscribe = this.#refuse(refusedProduct);
    }
    const confirmedNow = !wasConfirmed && this.#confirmed;
    const pickedUp = wasConfirmed ? this.#streaming.filter((p) => !streamingBefore.includes(p)) : [];
    const changed = confirmedNow || pickedUp.length > 0 || (wasConfirmed && streamingBefore.some((p) => !this.#streaming.includes(p)));
    const subscriptionUpdate = changed ? { streaming: this.#streaming, unconfirmed: this.unconfirmedProducts, pickedUp } : null;

    const events: MarketEvent[] = [...resetGaps];
    if (this.#pendingGap !== null && content.exchangeTimeUs !== null) {
      for (const productId of this.#productIds) {
        events.push(this.#gap(productId, this.#pendingGap.reason, this.#pendingGap.missed, content.exchangeTimeUs, frame));
      }
      this.#pendingGap = null;
    }
    const duplicateTrades = this.#trades(content, frame, events);
    this.#quotesAndHeartbeats(content, frame, events);
    return outcome(content.channel, {
      events, sequenceGap, sequenceReset, duplicateTrades, confirmedNow, subscriptionUpdate, subscribe, refusedProduct,
      error: content.error,
    });
  }

  /**
   * Records a frame's events as published: call it once the frame is queued for Kafka. Until then the
   * shared state is only read, so a frame dropped on overflow changes nothing.
   */
  commit(outcome: FrameOutcome): void {
    this.#state.commit(outcome.events);
  }

  #trades(content: FrameContent, frame: RawFrame, events: MarketEvent[]): number {
    let duplicates = 0;
    // Within the frame, ahead of the shared state (which changes only on commit).
    const admitted = new Set<string>();
    const lastId = new Map<string, number | null>();
    const lastTimeUs = new Map<string, number | null>();
    for (const trade of oldestFirst(content.trades)) {
      const { productId, tradeId } = trade;
      if (this.#state.dedupe.has(productId, tradeId) || admitted.has(`${productId}#${tradeId}`)) {
        duplicates += 1;
        continue;
      }
      admitted.add(`${productId}#${tradeId}`);
      if (this.#protocol.contiguousTradeIds) {
        const id = Number(tradeId);
        const previous = lastId.has(productId) ? lastId.get(productId) ?? null : this.#state.lastTradeId(productId);
        if (previous !== null && id > previous + 1) {
          const from = lastTimeUs.has(productId) ? lastTimeUs.get(productId) ?? null : this.#state.lastEventTimeUs(productId);
          events.push(this.#gap(productId, 'trade_id', id - previous - 1, trade.exchangeTimeUs, frame, from));
        }
        if (previous === null || id > previous) lastId.set(productId, id);
      }
      events.push({
        type: 'trade', v: WIRE_VERSION, source: this.#source, productId,
        exchangeTimeUs: trade.exchangeTimeUs, receivedAtUs: frame.receivedAtUs, tradeId,
        price: trade.price, size: trade.size, side: trade.takerSide, snapshot: trade.snapshot,
      });
      lastTimeUs.set(productId, trade.exchangeTimeUs);
    }
    return duplicates;
  }

  #quotesAndHeartbeats(content: FrameContent, frame: RawFrame, events: MarketEvent[]): void {
    for (const quote of content.quotes) {
      events.push({
        type: 'quote', v: WIRE_VERSION, source: this.#source, productId: quote.productId,
        exchangeTimeUs: quote.exchangeTimeUs, receivedAtUs: frame.receivedAtUs, price: quote.price,
        bidPrice: quote.bidPrice, bidSize: quote.bidSize, askPrice: quote.askPrice, askSize: quote.askSize,
      });
    }
    if (content.heartbeat !== null) {
      // A connection-wide heartbeat advances the clock of the products that stream, not of unconfirmed ones
      // (before Coinbase's answer, of every requested product).
      const subscribed = this.#confirmed ? this.#streaming : this.#productIds;
      const products = content.heartbeat.productIds === 'subscribed' ? subscribed : content.heartbeat.productIds;
      for (const productId of products) {
        events.push({
          type: 'heartbeat', v: WIRE_VERSION, source: this.#source, productId,
          exchangeTimeUs: content.heartbeat.exchangeTimeUs, receivedAtUs: frame.receivedAtUs,
        });
      }
    }
  }

  /**
   * Reads a (cumulative) `subscriptions` reply. The subscription is answered once every channel is present
   * and either every product is confirmed or every subscribe message has had its reply: products still
   * missing then are unconfirmed, and the others stream (the connection is not replaced for them).
   */
  #confirm(subscriptions: Readonly<Record<string, readonly string[]>>): void {
    const required = Object.entries(this.#protocol.requiredSubscriptions(this.#productIds));
    const productChannels = required.filter(([, products]) => products.length > 0).map(([channel]) => channel);
    this.#streaming = this.#productIds.filter((p) => productChannels.every((channel) => subscriptions[channel]?.includes(p) ?? false));
    if (this.#confirmed) return;
    this.#repliesOwed -= 1;
    const missing: string[] = [];
    for (const [channel, products] of required) {
      const granted = subscriptions[channel];
      if (granted === undefined) {
        missing.push(channel);
        continue;
      }
      for (const productId of products) if (!granted.includes(productId)) missing.push(`${channel}:${productId}`);
    }
    this.#missingSubscriptions = missing;
    const everyChannel = required.every(([channel]) => subscriptions[channel] !== undefined);
    this.#confirmed = everyChannel && (missing.length === 0 || this.#repliesOwed <= 0);
  }

  /**
   * The requested product an error frame names, if any and not streaming: Coinbase refuses a subscribe that
   * holds an unknown product with an error naming it (Exchange: "Failed to subscribe", reason
   * "MATIC-USD is not a valid product"), ignoring the whole message.
   */
  #refusedBy(error: { readonly message: string; readonly reason: string | null }): string | null {
    const text = `${error.message} ${error.reason ?? ''}`;
    return this.#productIds.find((p) => !this.#streaming.includes(p) && new RegExp(`(^|[^A-Z0-9-])${p}($|[^A-Z0-9-])`).test(text)) ?? null;
  }

  /** Before the answer, the refused message is subscribed again without the product (its error was its reply). */
  #refuse(productId: string): readonly string[] {
    this.#refused.add(productId);
    if (this.#confirmed) return [];
    this.#repliesOwed -= 1;
    const rest = this.#productIds.filter((p) => !this.#refused.has(p));
    const messages = rest.length === 0 ? [] : this.#protocol.productSubscribeMessages(rest);
    this.#repliesOwed += messages.length;
    return messages;
  }

  #gap(
    productId: string, reason: GapReason, missed: number | null, exchangeTimeUs: number, frame: RawFrame,
    fromExchangeTimeUs = this.#state.lastEventTimeUs(productId),
  ): MarketEvent {
    return {
      type: 'gap', v: WIRE_VERSION, source: this.#source, productId, exchangeTimeUs,
      receivedAtUs: frame.receivedAtUs, reason, missed, fromExchangeTimeUs,
    };
  }

  #invalid(frame: RawFrame, reason: DeadLetter['reason'], detail: string): FrameOutcome {
    return outcome('invalid', {
      deadLetter: {
        reason, detail, origin: this.#source, connectionId: this.#connectionId,
        receivedAtUs: frame.receivedAtUs, payload: frame.payload,
      },
    });
  }

  get #source(): Source {
    return this.#protocol.source;
  }
}
