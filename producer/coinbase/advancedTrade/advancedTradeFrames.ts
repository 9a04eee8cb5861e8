import Type, { type Static } from 'typebox';
import { Decimal, ErrorFrame, PositiveDecimal, ProductId, Rfc3339 } from '../frameFields.js';

/**
 * Schemas of the Advanced Trade market-data frames the producer handles, written from Coinbase's channel
 * documentation and checked against live captures (producer/coinbase/fixtures/advanced-trade.jsonl).
 * Unknown extra fields are allowed: Coinbase adds fields over time, and only the published ones are checked.
 * @see https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels
 */

/** Every data frame: no top-level `type`; `client_id` appears in some captures and not in others. */
const envelope = {
  client_id: Type.Optional(Type.String()),
  timestamp: Rfc3339,
  sequence_num: Type.Integer({ minimum: 0 }),
};

const EventType = Type.Union([Type.Literal('snapshot'), Type.Literal('update')]);

export const AdvancedTradeTrade = Type.Object({
  trade_id: Type.String({ pattern: '^[0-9]{1,20}$' }),
  product_id: ProductId,
  price: PositiveDecimal,
  size: PositiveDecimal,
  /** The maker's side, per Coinbase's docs. */
  side: Type.Union([Type.Literal('BUY'), Type.Literal('SELL')]),
  time: Rfc3339,
});

export const MarketTradesFrame = Type.Object({
  channel: Type.Literal('market_trades'),
  ...envelope,
  events: Type.Array(Type.Object({ type: EventType, trades: Type.Array(AdvancedTradeTrade) }), { minItems: 1 }),
});

export const AdvancedTradeTicker = Type.Object({
  type: Type.Literal('ticker'),
  product_id: ProductId,
  price: PositiveDecimal,
  // Absent before 2024-04 and on ticker_batch.
  best_bid: Type.Optional(Decimal),
  best_bid_quantity: Type.Optional(Decimal),
  best_ask: Type.Optional(Decimal),
  best_ask_quantity: Type.Optional(Decimal),
});

export const TickerFrame = Type.Object({
  channel: Type.Literal('ticker'),
  ...envelope,
  events: Type.Array(Type.Object({ type: EventType, tickers: Type.Array(AdvancedTradeTicker) }), { minItems: 1 }),
});

export const HeartbeatsFrame = Type.Object({
  channel: Type.Literal('heartbeats'),
  ...envelope,
  events: Type.Array(
    Type.Object({
      current_time: Type.String(),
      // A string in the docs, an integer on the wire.
      heartbeat_counter: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]),
    }),
    { minItems: 1 },
  ),
});

export const SubscriptionsFrame = Type.Object({
  channel: Type.Literal('subscriptions'),
  ...envelope,
  events: Type.Array(
    Type.Object({ subscriptions: Type.Record(Type.String(), Type.Array(Type.String())) }),
    { minItems: 1 },
  ),
});

export const AdvancedTradeErrorFrame = ErrorFrame;

export const ADVANCED_TRADE_FRAME_SCHEMAS = {
  market_trades: MarketTradesFrame,
  ticker: TickerFrame,
  heartbeats: HeartbeatsFrame,
  subscriptions: SubscriptionsFrame,
} as const;

export type AdvancedTradeChannel = keyof typeof ADVANCED_TRADE_FRAME_SCHEMAS;
export type MarketTradesFrame = Static<typeof MarketTradesFrame>;
export type TickerFrame = Static<typeof TickerFrame>;
export type HeartbeatsFrame = Static<typeof HeartbeatsFrame>;
export type SubscriptionsFrame = Static<typeof SubscriptionsFrame>;
export type AdvancedTradeErrorFrame = Static<typeof AdvancedTradeErrorFrame>;
export type AdvancedTradeFrame =
  | MarketTradesFrame
  | TickerFrame
  | HeartbeatsFrame
  | SubscriptionsFrame
  | (AdvancedTradeErrorFrame & { channel?: undefined });
