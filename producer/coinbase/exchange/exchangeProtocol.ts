import { Ajv, type ValidateFunction } from 'ajv';
import type { Static } from 'typebox';
import type { FeedProtocol, FrameContent, ParseResult } from '../../feed/FeedProtocol.js';
import type { ErrorFrame } from '../frameFields.js';
import { parseTimestampUs } from '../parseTimestampUs.js';
import { validationDetail } from '../validationDetail.js';
import {
  EXCHANGE_MESSAGE_SCHEMAS,
  type ExchangeHeartbeatMessage,
  type ExchangeMessageType,
  type ExchangeSubscriptionsMessage,
  type ExchangeTickerMessage,
  type MatchMessage,
} from './exchangeFrames.js';

/**
 * The Coinbase Exchange feed (`wss://ws-feed.exchange.coinbase.com`): one subscribe message with a
 * `channels` array; every message has a `type`; `sequence` is the product's full-channel sequence, so on
 * the public channels it only increases (it skips the order events they do not carry). Missed trades show
 * as jumps in the product's consecutive `trade_id`.
 * @see https://docs.cdp.coinbase.com/exchange/websocket-feed/overview
 */

const CHANNELS = ['matches', 'ticker', 'heartbeat'] as const;

/**
 * `sequence` is the product's full-channel sequence (about 300 order events a second on BTC-USD), so a message
 * that arrives late may be hundreds of numbers back. A step back of more than 10 000 (over 30 s of BTC-USD's
 * order flow) is the numbering restarting (e.g. 26941144 → 624086), not a late message.
 */
export const EXCHANGE_REORDER_WINDOW = 10_000;

const ajv = new Ajv({ allErrors: false, strict: true });
const validators = Object.fromEntries(
  Object.entries(EXCHANGE_MESSAGE_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
) as Record<ExchangeMessageType, ValidateFunction>;

const NOTHING = {
  exchangeTimeUs: null, sequence: null, trades: [], quotes: [], heartbeat: null, subscriptions: null, error: null,
} as const;

function match(m: MatchMessage): FrameContent {
  const exchangeTimeUs = parseTimestampUs(m.time) ?? 0;
  return {
    ...NOTHING,
    channel: m.type,
    exchangeTimeUs,
    // `match` and the `last_match` sent on subscribing share one stream.
    sequence: { stream: `matches:${m.product_id}`, value: m.sequence, consecutive: false, first: null, reorderWindow: EXCHANGE_REORDER_WINDOW, productId: m.product_id },
    trades: [{
      productId: m.product_id,
      tradeId: String(m.trade_id),
      price: m.price,
      size: m.size,
      // `side` is the maker order's side, so the taker did the opposite.
      takerSide: m.side === 'buy' ? 'sell' : 'buy',
      exchangeTimeUs,
      snapshot: m.type === 'last_match',
    }],
  };
}

function ticker(m: ExchangeTickerMessage): FrameContent {
  const exchangeTimeUs = parseTimestampUs(m.time) ?? 0;
  return {
    ...NOTHING,
    channel: 'ticker',
    exchangeTimeUs,
    sequence: { stream: `ticker:${m.product_id}`, value: m.sequence, consecutive: false, first: null, reorderWindow: EXCHANGE_REORDER_WINDOW, productId: m.product_id },
    quotes: [{
      productId: m.product_id,
      price: m.price,
      bidPrice: m.best_bid ?? null,
      bidSize: m.best_bid_size ?? null,
      askPrice: m.best_ask ?? null,
      askSize: m.best_ask_size ?? null,
      exchangeTimeUs,
    }],
  };
}

function heartbeat(m: ExchangeHeartbeatMessage): FrameContent {
  const exchangeTimeUs = parseTimestampUs(m.time) ?? 0;
  return {
    ...NOTHING,
    channel: 'heartbeat',
    exchangeTimeUs,
    sequence: { stream: `heartbeat:${m.product_id}`, value: m.sequence, consecutive: false, first: null, reorderWindow: EXCHANGE_REORDER_WINDOW, productId: m.product_id },
    heartbeat: { productIds: [m.product_id], exchangeTimeUs },
  };
}

function subscriptions(m: ExchangeSubscriptionsMessage): FrameContent {
  return {
    ...NOTHING,
    channel: 'subscriptions',
    subscriptions: Object.fromEntries(m.channels.map((c) => [c.name, c.product_ids])),
  };
}

export const exchangeProtocol: FeedProtocol = {
  source: 'coinbase-exchange',
  defaultUrl: 'wss://ws-feed.exchange.coinbase.com',
  contiguousTradeIds: true,

  subscribeMessages(productIds) {
    return [JSON.stringify({ type: 'subscribe', product_ids: productIds, channels: CHANNELS })];
  },

  productSubscribeMessages(productIds) {
    // The same message: a subscribe with one unknown product fails whole, so products are added the same way.
    return [JSON.stringify({ type: 'subscribe', product_ids: productIds, channels: CHANNELS })];
  },

  requiredSubscriptions(productIds) {
    return Object.fromEntries(CHANNELS.map((channel) => [channel, productIds]));
  },

  parse(json): ParseResult {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      return { ok: false, reason: 'schema', detail: '(frame) must be an object' };
    }
    const type = (json as { type?: unknown }).type;
    if (typeof type !== 'string') return { ok: false, reason: 'schema', detail: '(frame) must have property type' };
    if (!Object.hasOwn(validators, type)) {
      return { ok: false, reason: 'unknown', detail: `unexpected message type ${JSON.stringify(type).slice(0, 64)}` };
    }
    const validate = validators[type as ExchangeMessageType];
    if (!validate(json)) return { ok: false, reason: 'schema', detail: validationDetail(validate.errors) };
    let content: FrameContent;
    switch (type as ExchangeMessageType) {
      case 'match':
      case 'last_match': content = match(json as MatchMessage); break;
      case 'ticker': content = ticker(json as ExchangeTickerMessage); break;
      case 'heartbeat': content = heartbeat(json as ExchangeHeartbeatMessage); break;
      case 'subscriptions': content = subscriptions(json as ExchangeSubscriptionsMessage); break;
      case 'error': {
        const error = json as Static<typeof ErrorFrame>;
        content = { ...NOTHING, channel: 'error', error: { message: error.message, reason: error.reason ?? null } };
        break;
      }
    }
    if (content.exchangeTimeUs === 0) return { ok: false, reason: 'schema', detail: 'time is not a valid date' };
    return { ok: true, content };
  },
};
