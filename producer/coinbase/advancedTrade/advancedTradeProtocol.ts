import { Ajv, type ValidateFunction } from 'ajv';
import type { ExtractedQuote, ExtractedTrade, FeedProtocol, FrameContent, ParseResult } from '../../feed/FeedProtocol.js';
import { parseTimestampUs } from '../parseTimestampUs.js';
import { validationDetail } from '../validationDetail.js';
import {
  ADVANCED_TRADE_FRAME_SCHEMAS,
  AdvancedTradeErrorFrame,
  type AdvancedTradeChannel,
  type HeartbeatsFrame,
  type MarketTradesFrame,
  type SubscriptionsFrame,
  type TickerFrame,
} from './advancedTradeFrames.js';

/**
 * Coinbase Advanced Trade market data (`wss://advanced-trade-ws.coinbase.com`): one subscribe message per
 * channel, a per-connection `sequence_num` across all channels, frames without a top-level `type`.
 * @see https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-overview
 */

const CHANNELS = ['market_trades', 'ticker'] as const;

/**
 * `sequence_num` counts every frame of the connection, in order over one TCP stream: a repeat or a late frame
 * can only be a few numbers back. A larger step back (e.g. 1852 → 0) is the numbering restarting.
 */
export const AT_REORDER_WINDOW = 10;

const ajv = new Ajv({ allErrors: false, strict: true });
const validators = Object.fromEntries(
  Object.entries(ADVANCED_TRADE_FRAME_SCHEMAS).map(([channel, schema]) => [channel, ajv.compile(schema)]),
) as Record<AdvancedTradeChannel, ValidateFunction>;
const validateError = ajv.compile(AdvancedTradeErrorFrame);

function empty(channel: string, frame: { timestamp: string; sequence_num: number }): FrameContent {
  return {
    channel,
    exchangeTimeUs: parseTimestampUs(frame.timestamp),
    // Numbered per connection across all channels, from 0 (live captures; the docs disagree with each other).
    // A step back of more than 10 is a restart of the numbering (a venue-side restart), not a late frame.
    sequence: { stream: 'connection', value: frame.sequence_num, consecutive: true, first: 0, reorderWindow: AT_REORDER_WINDOW, productId: null },
    trades: [],
    quotes: [],
    heartbeat: null,
    subscriptions: null,
    error: null,
  };
}

function marketTrades(frame: MarketTradesFrame): FrameContent {
  const trades: ExtractedTrade[] = [];
  for (const event of frame.events) {
    for (const trade of event.trades) {
      trades.push({
        productId: trade.product_id,
        tradeId: trade.trade_id,
        price: trade.price,
        size: trade.size,
        // `side` is the maker's side ("refers to the makers side"), so the taker did the opposite.
        takerSide: trade.side === 'BUY' ? 'sell' : 'buy',
        exchangeTimeUs: parseTimestampUs(trade.time) ?? 0,
        snapshot: event.type === 'snapshot',
      });
    }
  }
  return { ...empty('market_trades', frame), trades };
}

function ticker(frame: TickerFrame): FrameContent {
  // The ticker carries no time of its own: the envelope's server time is its event time.
  const exchangeTimeUs = parseTimestampUs(frame.timestamp) ?? 0;
  const quotes: ExtractedQuote[] = frame.events.flatMap((event) =>
    event.tickers.map((t) => ({
      productId: t.product_id,
      price: t.price,
      bidPrice: t.best_bid ?? null,
      bidSize: t.best_bid_quantity ?? null,
      askPrice: t.best_ask ?? null,
      askSize: t.best_ask_quantity ?? null,
      exchangeTimeUs,
    })),
  );
  return { ...empty('ticker', frame), quotes };
}

function heartbeats(frame: HeartbeatsFrame): FrameContent {
  // Heartbeats are per connection, not per product; `current_time` is a Go time string, so the envelope's
  // RFC 3339 timestamp is the clock reading.
  const content = empty('heartbeats', frame);
  return { ...content, heartbeat: { productIds: 'subscribed', exchangeTimeUs: content.exchangeTimeUs ?? 0 } };
}

function subscriptions(frame: SubscriptionsFrame): FrameContent {
  // Cumulative: each confirmation lists everything the connection is subscribed to.
  const merged: Record<string, string[]> = {};
  for (const event of frame.events) {
    for (const [channel, products] of Object.entries(event.subscriptions)) merged[channel] = [...products];
  }
  return { ...empty('subscriptions', frame), subscriptions: merged };
}

function hasValidTimes(content: FrameContent): boolean {
  return content.exchangeTimeUs !== null && content.trades.every((t) => t.exchangeTimeUs > 0);
}

export const advancedTradeProtocol: FeedProtocol = {
  source: 'coinbase-advanced-trade',
  defaultUrl: 'wss://advanced-trade-ws.coinbase.com',
  contiguousTradeIds: false,

  subscribeMessages(productIds) {
    // One channel per message; heartbeats once per connection and without products (a copy per
    // subscription is delivered otherwise).
    return [
      ...CHANNELS.map((channel) => JSON.stringify({ type: 'subscribe', product_ids: productIds, channel })),
      JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }),
    ];
  },

  productSubscribeMessages(productIds) {
    return CHANNELS.map((channel) => JSON.stringify({ type: 'subscribe', product_ids: productIds, channel }));
  },

  requiredSubscriptions(productIds) {
    return { market_trades: productIds, ticker: productIds, heartbeats: [] };
  },

  parse(json): ParseResult {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      return { ok: false, reason: 'schema', detail: '(frame) must be an object' };
    }
    const frame = json as { type?: unknown; channel?: unknown };
    if (frame.type === 'error') {
      if (!validateError(frame)) return { ok: false, reason: 'schema', detail: validationDetail(validateError.errors) };
      const error = frame as { message: string; reason?: string };
      return {
        ok: true,
        content: {
          channel: 'error', exchangeTimeUs: null, sequence: null, trades: [], quotes: [], heartbeat: null,
          subscriptions: null, error: { message: error.message, reason: error.reason ?? null },
        },
      };
    }
    if (typeof frame.channel !== 'string') {
      return { ok: false, reason: 'schema', detail: '(frame) must have property channel' };
    }
    if (!Object.hasOwn(validators, frame.channel)) {
      return { ok: false, reason: 'unknown', detail: `unexpected channel ${JSON.stringify(frame.channel).slice(0, 64)}` };
    }
    const channel = frame.channel as AdvancedTradeChannel;
    const validate = validators[channel];
    if (!validate(frame)) return { ok: false, reason: 'schema', detail: validationDetail(validate.errors) };
    let content: FrameContent;
    switch (channel) {
      case 'market_trades': content = marketTrades(frame as MarketTradesFrame); break;
      case 'ticker': content = ticker(frame as TickerFrame); break;
      case 'heartbeats': content = heartbeats(frame as HeartbeatsFrame); break;
      case 'subscriptions': content = subscriptions(frame as SubscriptionsFrame); break;
    }
    if (!hasValidTimes(content)) return { ok: false, reason: 'schema', detail: 'timestamp is not a valid date' };
    return { ok: true, content };
  },
};
