import { WIRE_VERSION, type CandleEvent } from '../../wire/MarketEvent.js';
import type { CandleWindow } from './planCandleWindows.js';
import { candleRangeProblem, MalformedBodyError, schemaProblem, type Rejected } from './Rejected.js';

export interface MappedPage<E> {
  /** Oldest first. */
  readonly events: E[];
  readonly rejected: Rejected[];
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const text = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '');

/**
 * The candle events of one Get Public Product Candles answer (`{"candles":[{start, low, high, open, close,
 * volume}]}`, strings, newest first, intervals without trades omitted), oldest first. Candles outside the
 * window are not this request's: one starting exactly at `endS` (an inclusive end) is left to the next window;
 * any other is out of range. Invalid candles and repeats are rejected with the reason, never dropped.
 * @throws MalformedBodyError when the body is not that envelope.
 * @see backfill/COINBASE_REST.md §1
 */
export function mapCandles(body: unknown, productId: string, granularityS: number, window: CandleWindow, receivedAtUs: number): MappedPage<CandleEvent> {
  if (!isRecord(body) || !Array.isArray(body['candles'])) throw new MalformedBodyError('expected {"candles":[…]}');
  const events: CandleEvent[] = [];
  const rejected: Rejected[] = [];
  const seen = new Set<number>();
  for (const item of body['candles'] as unknown[]) {
    const payload = JSON.stringify(item);
    if (!isRecord(item)) {
      rejected.push({ reason: 'schema', detail: 'candle is not an object', payload });
      continue;
    }
    const startS = Number(text(item['start']));
    if (!Number.isInteger(startS) || text(item['start']) === '') {
      rejected.push({ reason: 'schema', detail: `start ${JSON.stringify(item['start'])} is not UNIX seconds`, payload });
      continue;
    }
    if (startS === window.endS) continue;
    if (startS < window.startS || startS > window.endS || startS % granularityS !== 0) {
      rejected.push({ reason: 'out_of_range', detail: `start ${startS} is not a ${granularityS} s candle of [${window.startS}, ${window.endS})`, payload });
      continue;
    }
    if (seen.has(startS)) {
      rejected.push({ reason: 'duplicate', detail: `candle ${startS} repeated in one page`, payload });
      continue;
    }
    const event: CandleEvent = {
      type: 'candle', v: WIRE_VERSION, source: 'coinbase-advanced-trade', productId,
      exchangeTimeUs: startS * 1_000_000, receivedAtUs, granularityS,
      open: text(item['open']), high: text(item['high']), low: text(item['low']), close: text(item['close']), volume: text(item['volume']),
    };
    const problem = schemaProblem(event, payload) ?? candleRangeProblem(event, payload);
    if (problem !== null) {
      rejected.push(problem);
      continue;
    }
    seen.add(startS);
    events.push(event);
  }
  events.sort((a, b) => a.exchangeTimeUs - b.exchangeTimeUs);
  return { events, rejected };
}
