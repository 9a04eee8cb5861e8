import { gzipSync } from 'node:zlib';
import { formatCents, formatSats, generateTrades } from '../../testing/coinbase/CoinbaseRestServer.js';
import { TRADE_CSV_HEADER } from '../core/parseTradeCsv.js';

/** The bundled sample: two hours of synthetic BTC-USD trades (not market data), in the tick-data vendors' CSV format. */
export const SAMPLE = {
  path: 'backfill/samples/coinbase-BTC-USD-trades-sample.csv.gz',
  productId: 'BTC-USD',
  fromS: Date.parse('2026-01-01T00:00:00Z') / 1000,
  toS: Date.parse('2026-01-01T02:00:00Z') / 1000,
  seed: 20_260_101,
  firstTradeId: 900_000_000,
} as const;

/**
 * The sample's CSV text: the local Coinbase REST server's deterministic market for the seed (about 3 trades a
 * minute, 5 % of minutes without trades), written as tardis.dev writes Coinbase trades: the taker's side, and a
 * receipt time 40–80 ms after the trade.
 */
export function sampleCsv(): string {
  const trades = generateTrades({ productId: SAMPLE.productId, fromS: SAMPLE.fromS, toS: SAMPLE.toS, firstTradeId: SAMPLE.firstTradeId, startPriceCents: 8_835_559 }, SAMPLE.seed);
  const lines = trades.map((t) => [
    'coinbase', SAMPLE.productId, t.timeUs, t.timeUs + 40_000 + (t.tradeId % 41) * 1000, t.tradeId,
    t.makerSide === 'buy' ? 'sell' : 'buy', formatCents(t.priceCents), formatSats(t.sizeSats),
  ].join(','));
  return `${[TRADE_CSV_HEADER, ...lines].join('\n')}\n`;
}

/** The gzipped sample, byte for byte reproducible (gzip without a file name or modification time). */
export function sampleCsvGz(): Buffer {
  return gzipSync(Buffer.from(sampleCsv(), 'utf8'), { level: 9 });
}
