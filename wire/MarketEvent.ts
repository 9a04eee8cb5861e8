import Type, { type Static } from 'typebox';

/**
 * Normalized market events: the only shape that crosses from the producer to the engine.
 * Field semantics are documented in producer/coinbase/MAPPING.md.
 *
 * Conventions: decimals stay the exchange's decimal strings (lossless; the engine converts once);
 * times are integer microseconds since the Unix epoch (`…Us`), the exchanges' own precision;
 * `exchangeTimeUs` is event time, `receivedAtUs` is this producer's wall clock at receipt.
 */
export const WIRE_VERSION = 1;

export const SOURCES = ['coinbase-advanced-trade', 'coinbase-exchange'] as const;
export type Source = (typeof SOURCES)[number];

const Decimal = Type.String({ pattern: '^[0-9]{1,20}(\\.[0-9]{1,20})?$' });
/** A decimal string greater than zero. */
const PositiveDecimal = Type.String({ pattern: '^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$' });
const TimeUs = Type.Integer({ minimum: 0 });
/**
 * Coinbase's product-id grammar: upper-case letters and digits in two to four dash-separated parts of up to 16
 * characters each. Spot pairs have two (`BTC-USD`, `ETH-BTC`), International perpetuals on the Advanced
 * Trade feed three (`BTC-PERP-INTX`), US futures three (`BIT-28JUN24-CDE`). Bounded, so product ids stay
 * bounded Kafka keys and metric labels. The one definition: configuration and both feeds' frame schemas use it.
 * @see producer/coinbase/MAPPING.md
 */
export const PRODUCT_ID_PATTERN = '^[A-Z0-9]{1,16}(-[A-Z0-9]{1,16}){1,3}$';
export const ProductIdSchema = Type.String({ pattern: PRODUCT_ID_PATTERN });
const ProductId = ProductIdSchema;

const base = {
  v: Type.Literal(WIRE_VERSION),
  source: Type.Enum(SOURCES),
  productId: ProductId,
  exchangeTimeUs: TimeUs,
  receivedAtUs: TimeUs,
};

export const TradeEventSchema = Type.Object({
  type: Type.Literal('trade'),
  ...base,
  tradeId: Type.String({ pattern: '^[0-9]{1,20}$' }),
  price: PositiveDecimal,
  size: PositiveDecimal,
  /** The taker's (aggressor's) side; Coinbase reports the maker's side, which the mappers invert. */
  side: Type.Enum(['buy', 'sell']),
  /** True for trades replayed in a subscription snapshot (they happened before the subscription). */
  snapshot: Type.Boolean(),
}, { additionalProperties: false });

export const QuoteEventSchema = Type.Object({
  type: Type.Literal('quote'),
  ...base,
  /** Last trade price. */
  price: PositiveDecimal,
  bidPrice: Type.Union([Decimal, Type.Null()]),
  bidSize: Type.Union([Decimal, Type.Null()]),
  askPrice: Type.Union([Decimal, Type.Null()]),
  askSize: Type.Union([Decimal, Type.Null()]),
}, { additionalProperties: false });

/**
 * `sequence_reset`: the exchange's sequence numbers restarted lower in the middle of a connection (a venue-side
 * restart); the producer took the new numbers as its baseline, and data may be missing around the restart.
 */
export const GAP_REASONS = ['sequence', 'reconnect', 'overflow', 'trade_id', 'sequence_reset'] as const;
export type GapReason = (typeof GAP_REASONS)[number];

/**
 * Data for this product may be missing between `fromExchangeTimeUs` (the last event time seen before the
 * gap, null when none was seen) and `exchangeTimeUs` (the first event time after it).
 */
export const GapEventSchema = Type.Object({
  type: Type.Literal('gap'),
  ...base,
  reason: Type.Enum(GAP_REASONS),
  /** Frames (`sequence`, `overflow`) or trades (`trade_id`) known to be missing; null when unknown. */
  missed: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  fromExchangeTimeUs: Type.Union([TimeUs, Type.Null()]),
}, { additionalProperties: false });

/** The exchange clock has reached `exchangeTimeUs` for this product: lets event time advance in a quiet market. */
export const HeartbeatEventSchema = Type.Object({
  type: Type.Literal('heartbeat'),
  ...base,
}, { additionalProperties: false });

/**
 * An OHLCV candle from an exchange's history (Coinbase's REST candles): the trades of
 * `[exchangeTimeUs, exchangeTimeUs + granularityS)`, aggregated by the exchange. `exchangeTimeUs` is the
 * candle's start (Coinbase's `start`/`time`), aligned to the Unix epoch; Coinbase omits intervals without
 * trades. Prices are quote currency, volume base currency, as in trades.
 */
export const CandleEventSchema = Type.Object({
  type: Type.Literal('candle'),
  ...base,
  /** The candle's length in seconds (60, 300, 900, 3600, 21600, 86400 on Coinbase). */
  granularityS: Type.Integer({ minimum: 1, maximum: 86_400 * 7 }),
  open: PositiveDecimal,
  high: PositiveDecimal,
  low: PositiveDecimal,
  close: PositiveDecimal,
  volume: Decimal,
}, { additionalProperties: false });

export type TradeEvent = Static<typeof TradeEventSchema>;
export type CandleEvent = Static<typeof CandleEventSchema>;
export type QuoteEvent = Static<typeof QuoteEventSchema>;
export type GapEvent = Static<typeof GapEventSchema>;
export type HeartbeatEvent = Static<typeof HeartbeatEventSchema>;
export type MarketEvent = TradeEvent | QuoteEvent | GapEvent | HeartbeatEvent | CandleEvent;
export type MarketEventType = MarketEvent['type'];

export const MARKET_EVENT_SCHEMAS = {
  trade: TradeEventSchema,
  quote: QuoteEventSchema,
  gap: GapEventSchema,
  candle: CandleEventSchema,
  heartbeat: HeartbeatEventSchema,
} as const;
