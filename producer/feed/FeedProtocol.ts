import type { Source } from '../../wire/MarketEvent.js';

/** A trade as a protocol extracts it, already in normalized terms (taker side, µs event time). */
export interface ExtractedTrade {
  readonly productId: string;
  readonly tradeId: string;
  readonly price: string;
  readonly size: string;
  readonly takerSide: 'buy' | 'sell';
  readonly exchangeTimeUs: number;
  readonly snapshot: boolean;
}

export interface ExtractedQuote {
  readonly productId: string;
  readonly price: string;
  readonly bidPrice: string | null;
  readonly bidSize: string | null;
  readonly askPrice: string | null;
  readonly askSize: string | null;
  readonly exchangeTimeUs: number;
}

/**
 * A frame's sequence number and the stream it belongs to. `consecutive` streams number every frame, so a
 * jump reveals dropped frames; other streams are only monotonic, so only repeats can be detected.
 */
export interface SequencePosition {
  readonly stream: string;
  readonly value: number;
  readonly consecutive: boolean;
  /** The number a stream starts at on a new connection, where the protocol defines one; else the first frame sets it. */
  readonly first: number | null;
  /**
   * How far back a number may step and still be a repeat or a late frame (dropped). A larger step back is a
   * restart of the venue's numbering: the tracker takes it as the new baseline instead of dropping everything
   * that follows. See producer/coinbase/MAPPING.md for each protocol's window.
   */
  readonly reorderWindow: number;
  /** The product the stream belongs to; null when it spans the connection (every product). */
  readonly productId: string | null;
}

/** What a valid frame says, independent of the protocol that said it. */
export interface FrameContent {
  /** The frame's channel or message type: a bounded metric label. */
  readonly channel: string;
  /** The frame's own exchange time; null for frames that carry none (errors). */
  readonly exchangeTimeUs: number | null;
  readonly sequence: SequencePosition | null;
  readonly trades: readonly ExtractedTrade[];
  readonly quotes: readonly ExtractedQuote[];
  /** The exchange clock reached `exchangeTimeUs` for these products ('subscribed': every product on the connection). */
  readonly heartbeat: { readonly productIds: readonly string[] | 'subscribed'; readonly exchangeTimeUs: number } | null;
  /** The server's confirmation of what the connection is subscribed to: channel → products. */
  readonly subscriptions: Readonly<Record<string, readonly string[]>> | null;
  readonly error: { readonly message: string; readonly reason: string | null } | null;
}

export type ParseResult =
  | { readonly ok: true; readonly content: FrameContent }
  | { readonly ok: false; readonly reason: 'schema' | 'unknown'; readonly detail: string };

/**
 * One Coinbase WebSocket protocol: how to subscribe, and how to read its frames. Pure: the connection and
 * the integrity rules (sequence, dedupe, gap markers) live elsewhere and are shared by every protocol.
 */
export interface FeedProtocol {
  readonly source: Source;
  readonly defaultUrl: string;
  /** Whether a product's trade ids are consecutive integers, so that a jump reveals missed trades. */
  readonly contiguousTradeIds: boolean;
  /** Messages to send as soon as the socket opens (Coinbase disconnects after 5 s without a subscribe). */
  subscribeMessages(productIds: readonly string[]): readonly string[];
  /**
   * Messages that add products to a connection already subscribed (channels without products, such as
   * Advanced Trade's heartbeats, are not repeated): to ask again for products Coinbase did not confirm.
   */
  productSubscribeMessages(productIds: readonly string[]): readonly string[];
  /** What the `subscriptions` confirmation must list: channel → products (an empty list: the channel alone). */
  requiredSubscriptions(productIds: readonly string[]): Readonly<Record<string, readonly string[]>>;
  /** Validates a parsed JSON frame and extracts its content. */
  parse(json: unknown): ParseResult;
}
