import type { MarketEvent } from './MarketEvent.js';
import { encodeMarketEvent } from './marketEventCodec.js';
import type { WireRecord } from './WireRecord.js';

/**
 * The `prices.normalized` record of an event: keyed by product id (so one product's events stay ordered in
 * one partition), timestamped with the event's exchange time (so offsets can be looked up by event time).
 */
export function marketEventRecord(event: MarketEvent): WireRecord {
  return {
    key: event.productId,
    value: encodeMarketEvent(event),
    headers: {},
    timestampMs: Math.floor(event.exchangeTimeUs / 1000),
  };
}
