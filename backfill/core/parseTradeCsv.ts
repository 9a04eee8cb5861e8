import { WIRE_VERSION, type TradeEvent } from '../../wire/MarketEvent.js';
import { schemaProblem, type Rejected } from './Rejected.js';

/**
 * The header of the trade CSV files crypto tick-data vendors publish (tardis.dev's `trades` data type): one
 * trade per line, `timestamp` the exchange's time and `local_timestamp` the vendor's receipt time, both in
 * microseconds since the epoch; `side` the taker's (aggressor's) side, `buy`, `sell` or `unknown`;
 * `amount` in base currency.
 * @see https://docs.tardis.dev/downloadable-csv-files#trades
 */
export const TRADE_CSV_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';

/** Thrown when a file's first line is not {@link TRADE_CSV_HEADER}: nothing of it is imported. */
export class CsvHeaderError extends Error {
  constructor(header: string) {
    super(`not a trades CSV: the header must be "${TRADE_CSV_HEADER}", found "${header.slice(0, 200)}"`);
    this.name = 'CsvHeaderError';
  }
}

export function checkCsvHeader(line: string): void {
  if (line.replace(/^\uFEFF/, '').trim() !== TRADE_CSV_HEADER) throw new CsvHeaderError(line);
}

/**
 * One CSV line as a trade event (`source` from the exchange column: Coinbase's trade ids and taker sides are
 * the Exchange feed's), or why it cannot be one. The symbol is the product id (upper-cased: tardis writes
 * Coinbase's own `BTC-USD`).
 */
export function parseTradeCsvLine(line: string): TradeEvent | Rejected {
  const fields = line.split(',');
  if (fields.length !== 8) return { reason: 'schema', detail: `${fields.length} fields, expected 8`, payload: line };
  const [exchange, symbol, timestamp, localTimestamp, id, side, price, amount] = fields as [string, string, string, string, string, string, string, string];
  if (exchange !== 'coinbase') return { reason: 'schema', detail: `exchange "${exchange}" is not coinbase`, payload: line };
  if (!/^\d{1,17}$/.test(timestamp) || !/^\d{1,17}$/.test(localTimestamp)) {
    return { reason: 'schema', detail: 'timestamp and local_timestamp must be integer microseconds', payload: line };
  }
  if (side !== 'buy' && side !== 'sell') return { reason: 'schema', detail: `side "${side}" is not buy or sell`, payload: line };
  const event: TradeEvent = {
    type: 'trade', v: WIRE_VERSION, source: 'coinbase-exchange', productId: symbol.toUpperCase(),
    exchangeTimeUs: Number(timestamp), receivedAtUs: Number(localTimestamp), tradeId: id, price, size: amount, side, snapshot: false,
  };
  return schemaProblem(event, line) ?? event;
}
