import type { Kafka } from 'kafkajs';
import { readTail } from '../kafka/readTail.js';
import { decodeMarketEvent, WireDecodeError } from '../wire/marketEventCodec.js';
import { QualityReport } from './core/QualityReport.js';
import { streamKey, streamOf, StreamGate, type StreamKind } from './core/streams.js';
import type { StreamOutcome } from './runBackfill.js';

/**
 * `backfill --check`: the quality of what `prices.history` holds for the products and range, read from the
 * topic itself. Intervals before a stream's first event or after its last count as not fetched; gaps between
 * them as Coinbase's (nothing traded), since a backfill writes each stream contiguously and in order.
 * Repeats and events out of order on the topic are counted as duplicates and out-of-order.
 */
export async function checkHistory(kafka: Kafka, topic: string, products: readonly string[], streams: readonly StreamKind[], fromUs: number, toUs: number): Promise<StreamOutcome[]> {
  const wanted = new Map<string, { productId: string; stream: StreamKind; report: QualityReport; gate: StreamGate; first: number | null; last: number | null }>();
  for (const productId of products) {
    for (const stream of streams) {
      wanted.set(streamKey(productId, stream), { productId, stream, report: new QualityReport(productId, stream, fromUs, toUs), gate: new StreamGate(null), first: null, last: null });
    }
  }
  for (const record of await readTail(kafka, topic, Number.POSITIVE_INFINITY)) {
    let event;
    try {
      event = decodeMarketEvent(record.value);
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      continue;
    }
    const stream = streamOf(event);
    if (stream === null || (event.type !== 'candle' && event.type !== 'trade')) continue;
    const entry = wanted.get(streamKey(event.productId, stream));
    if (entry === undefined || event.exchangeTimeUs < fromUs || event.exchangeTimeUs >= toUs) continue;
    const admission = entry.gate.admit(event);
    if (admission === 'new') {
      entry.report.taken(event);
      entry.first ??= event.exchangeTimeUs;
      entry.last = event.exchangeTimeUs;
    } else {
      entry.report.rejected(admission === 'written' ? 'duplicate' : admission);
    }
  }
  return [...wanted.entries()].map(([key, e]) => {
    const intervalUs = (e.stream.kind === 'candle' ? e.stream.granularityS : 60) * 1_000_000;
    if (e.first !== null && e.last !== null) e.report.loaded(e.first, e.last + intervalUs);
    return { stream: key, quality: e.report.summary(), error: null, resumedAfter: null };
  });
}
