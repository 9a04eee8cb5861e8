import { parseTimestampUs } from '../../producer/coinbase/parseTimestampUs.js';
import { WIRE_VERSION, type TradeEvent } from '../../wire/MarketEvent.js';
import type { MappedPage } from './mapCandles.js';
import { MalformedBodyError, schemaProblem, type Rejected } from './Rejected.js';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Trade events from Coinbase Exchange's REST trades (`GET /products/{id}/trades`: an array of `{time,
 * trade_id, price, size, side}`, newest first), oldest first. `side` there is the maker's ("a buy side
 * indicates a down-tick"), so the event's taker side is its opposite, as in the WebSocket `match` mapping.
 * Invalid trades are rejected with the reason; repeated ids too.
 * @throws MalformedBodyError when the body is not an array.
 * @see backfill/COINBASE_REST.md §2
 */
export function mapRestTrades(body: unknown, productId: string, receivedAtUs: number): MappedPage<TradeEvent> {
  if (!Array.isArray(body)) throw new MalformedBodyError('expected an array of trades');
  const events: TradeEvent[] = [];
  const rejected: Rejected[] = [];
  const seen = new Set<string>();
  for (const item of body as unknown[]) {
    const payload = JSON.stringify(item);
    const mapped = mapRestTrade(item, productId, receivedAtUs, payload);
    if ('reason' in mapped) {
      rejected.push(mapped);
    } else if (seen.has(mapped.tradeId)) {
      rejected.push({ reason: 'duplicate', detail: `trade ${mapped.tradeId} repeated in one page`, payload });
    } else {
      seen.add(mapped.tradeId);
      events.push(mapped);
    }
  }
  events.sort((a, b) => compareTrades(a, b));
  return { events, rejected };
}

/** One REST trade as an event, or why it cannot be one. */
export function mapRestTrade(item: unknown, productId: string, receivedAtUs: number, payload = JSON.stringify(item)): TradeEvent | Rejected {
  if (!isRecord(item)) return { reason: 'schema', detail: 'trade is not an object', payload };
  const timeUs = typeof item['time'] === 'string' ? parseTimestampUs(item['time']) : null;
  if (timeUs === null) return { reason: 'schema', detail: `time ${JSON.stringify(item['time'])} is not RFC 3339`, payload };
  const makerSide = item['side'];
  if (makerSide !== 'buy' && makerSide !== 'sell') return { reason: 'schema', detail: `side ${JSON.stringify(makerSide)} is not buy or sell`, payload };
  const tradeId = typeof item['trade_id'] === 'number' || typeof item['trade_id'] === 'string' ? String(item['trade_id']) : '';
  const event: TradeEvent = {
    type: 'trade', v: WIRE_VERSION, source: 'coinbase-exchange', productId, exchangeTimeUs: timeUs, receivedAtUs,
    tradeId, price: String(item['price']), size: String(item['size']), side: makerSide === 'buy' ? 'sell' : 'buy', snapshot: false,
  };
  return schemaProblem(event, payload) ?? event;
}

/** Trade order: trade id (Coinbase's ids grow with time per product), numerically. */
export function compareTrades(a: TradeEvent, b: TradeEvent): number {
  const [x, y] = [BigInt(a.tradeId), BigInt(b.tradeId)];
  return x < y ? -1 : x > y ? 1 : 0;
}
