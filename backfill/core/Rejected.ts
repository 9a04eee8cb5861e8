import type { DeadLetterReason } from '../../wire/deadLetterRecord.js';
import type { CandleEvent, MarketEvent } from '../../wire/MarketEvent.js';
import { decodeMarketEvent, encodeMarketEvent, WireDecodeError } from '../../wire/marketEventCodec.js';

/** A source record that cannot become an event: dead-lettered with the reason, its exact text kept. */
export interface Rejected {
  readonly reason: DeadLetterReason;
  readonly detail: string;
  /** The record as the source had it (a JSON element, a CSV line). */
  readonly payload: string;
}

/** A page or file that is not what the protocol says at all (not JSON, not an array): retried, never dead-lettered piecemeal. */
export class MalformedBodyError extends Error {
  constructor(detail: string) {
    super(`malformed response body: ${detail}`);
    this.name = 'MalformedBodyError';
  }
}

/**
 * Checks an event against the wire schema (through the wire codec, as consumers will read it); returns the
 * problem as a rejection, or null.
 */
export function schemaProblem(event: MarketEvent, payload: string): Rejected | null {
  try {
    decodeMarketEvent(encodeMarketEvent(event));
    return null;
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    return { reason: 'schema', detail: error.reason, payload };
  }
}

/** Values a candle cannot have even when each field is well-formed: low above open, close or high; open or close above high. */
export function candleRangeProblem(candle: CandleEvent, payload: string): Rejected | null {
  const [open, high, low, close] = [candle.open, candle.high, candle.low, candle.close].map(Number) as [number, number, number, number];
  if (high < low) return { reason: 'out_of_range', detail: `high ${candle.high} < low ${candle.low}`, payload };
  if (open < low || open > high) return { reason: 'out_of_range', detail: `open ${candle.open} outside [low ${candle.low}, high ${candle.high}]`, payload };
  if (close < low || close > high) return { reason: 'out_of_range', detail: `close ${candle.close} outside [low ${candle.low}, high ${candle.high}]`, payload };
  return null;
}
