import Type, { type Static } from 'typebox';
import { Decimal, ErrorFrame, PositiveDecimal, ProductId, Rfc3339 } from '../frameFields.js';

/**
 * Schemas of the Coinbase Exchange feed messages the producer handles (`ws-feed.exchange.coinbase.com`),
 * written from the Exchange WebSocket docs and checked against live captures
 * (producer/coinbase/fixtures/exchange.jsonl). Integers (trade id, sequence) are unquoted; decimals are strings.
 * @see https://docs.cdp.coinbase.com/exchange/websocket-feed/channels
 */

const Sequence = Type.Integer({ minimum: 0 });
const TradeId = Type.Integer({ minimum: 0 });

export const MatchMessage = Type.Object({
  type: Type.Union([Type.Literal('match'), Type.Literal('last_match')]),
  trade_id: TradeId,
  sequence: Sequence,
  time: Rfc3339,
  product_id: ProductId,
  size: PositiveDecimal,
  price: PositiveDecimal,
  /** The maker order's side, per the docs ("If the side is sell this indicates the maker was a sell order"). */
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
});

export const ExchangeTickerMessage = Type.Object({
  type: Type.Literal('ticker'),
  sequence: Sequence,
  product_id: ProductId,
  price: PositiveDecimal,
  time: Rfc3339,
  best_bid: Type.Optional(Decimal),
  best_bid_size: Type.Optional(Decimal),
  best_ask: Type.Optional(Decimal),
  best_ask_size: Type.Optional(Decimal),
});

export const ExchangeHeartbeatMessage = Type.Object({
  type: Type.Literal('heartbeat'),
  sequence: Sequence,
  last_trade_id: TradeId,
  product_id: ProductId,
  time: Rfc3339,
});

export const ExchangeSubscriptionsMessage = Type.Object({
  type: Type.Literal('subscriptions'),
  channels: Type.Array(Type.Object({ name: Type.String(), product_ids: Type.Array(Type.String()) })),
});

export const EXCHANGE_MESSAGE_SCHEMAS = {
  match: MatchMessage,
  last_match: MatchMessage,
  ticker: ExchangeTickerMessage,
  heartbeat: ExchangeHeartbeatMessage,
  subscriptions: ExchangeSubscriptionsMessage,
  error: ErrorFrame,
} as const;

export type ExchangeMessageType = keyof typeof EXCHANGE_MESSAGE_SCHEMAS;
export type MatchMessage = Static<typeof MatchMessage>;
export type ExchangeTickerMessage = Static<typeof ExchangeTickerMessage>;
export type ExchangeHeartbeatMessage = Static<typeof ExchangeHeartbeatMessage>;
export type ExchangeSubscriptionsMessage = Static<typeof ExchangeSubscriptionsMessage>;
