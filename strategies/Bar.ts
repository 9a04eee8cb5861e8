/**
 * One closed OHLCV bar of a product, as the engine's event-time windows produce it and strategies consume it.
 * Prices and volumes are numbers (the engine converts the exchange's decimal strings once); times are µs
 * since the Unix epoch; the bar covers `[startUs, endUs)`.
 */
export interface Bar {
  readonly productId: string;
  readonly intervalUs: number;
  readonly startUs: number;
  readonly endUs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Base-currency volume traded in the bar; 0 for a bar without trades (its prices carry the last close). */
  readonly volume: number;
  /** Volume-weighted average price; the close when there was no volume. */
  readonly vwap: number;
  readonly tradeCount: number;
  /** False when the producer reported missing data (a gap marker) inside the bar. */
  readonly complete: boolean;
}
