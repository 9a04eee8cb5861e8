import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../wire/deadLetterRecord.js';

const ENGINE_OR_BACKFILL_REASONS: ReadonlySet<DeadLetterReason> = new Set([
  DEAD_LETTER_REASONS.undecodable, DEAD_LETTER_REASONS.clock_skew,
  DEAD_LETTER_REASONS.out_of_range, DEAD_LETTER_REASONS.duplicate, DEAD_LETTER_REASONS.out_of_order,
]);

/** Latency buckets in seconds, from sub-millisecond publishes to multi-second outages. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The producer's Prometheus metrics. Names follow `<component>_<what>_<unit>`; label values are bounded
 * (channels, products, reasons), never trade ids.
 */
export interface ProducerProbes {
  /**
   * Seconds since the last frame; before the first, since the producer started, so that a feed that never
   * connects ages (and `FeedStale` fires) like one that went silent.
   */
  lastFrameAgeSeconds(): number;
  queueFrames(): number;
  queueBytes(): number;
}

export function createProducerMetrics(registry: Registry, probes: ProducerProbes) {
  const registers = [registry];
  const metrics = {
    framesReceived: new Counter({
      name: 'producer_ws_frames_total', help: 'WebSocket frames received, by channel (or message type); `invalid` for dead-lettered frames.',
      labelNames: ['channel'] as const, registers,
    }),
    tradesPublished: new Counter({
      name: 'producer_trades_published_total', help: 'Trade events acknowledged by Kafka on the normalized topic.',
      labelNames: ['product'] as const, registers,
    }),
    quotesPublished: new Counter({
      name: 'producer_quotes_published_total', help: 'Quote events (from ticker frames) acknowledged by Kafka.',
      labelNames: ['product'] as const, registers,
    }),
    gapMarkersPublished: new Counter({
      name: 'producer_gap_markers_published_total', help: 'Gap markers acknowledged by Kafka: data for the product may be missing.',
      labelNames: ['product', 'reason'] as const, registers,
    }),
    invalidFrames: new Counter({
      name: 'producer_invalid_frames_total', help: 'Frames sent to the dead-letter topic, by reason.',
      labelNames: ['reason'] as const, registers,
    }),
    errorFrames: new Counter({
      name: 'producer_ws_error_frames_total', help: 'Error frames sent by Coinbase (e.g. a refused subscription).', registers,
    }),
    reconnects: new Counter({
      name: 'producer_ws_reconnects_total', help: 'Connections replaced, by why the previous one ended.',
      labelNames: ['reason'] as const, registers,
    }),
    sequenceGaps: new Counter({
      name: 'producer_sequence_gaps_total', help: 'Jumps in a consecutive sequence_num: frames were lost between Coinbase and us.', registers,
    }),
    sequenceMissedFrames: new Counter({
      name: 'producer_sequence_missed_frames_total', help: 'Frames missing inside sequence gaps.', registers,
    }),
    duplicateFrames: new Counter({
      name: 'producer_duplicate_frames_total', help: 'Frames dropped because their sequence number repeated or went back by no more than the reorder window.', registers,
    }),
    sequenceResets: new Counter({
      name: 'producer_sequence_resets_total', help: 'Sequence numbers that restarted lower mid-connection (a venue-side restart): taken as the new baseline, with a sequence_reset gap marker.', registers,
    }),
    unconfirmedProducts: new Gauge({
      name: 'producer_unconfirmed_products', help: '1 for a requested product that Coinbase\'s answer to the subscription left out (unknown, delisted, refused), 0 once confirmed. The others stream; it is asked for again every COINBASE_RESUBSCRIBE_INTERVAL_MS.',
      labelNames: ['product'] as const, registers,
    }),
    resubscribes: new Counter({
      name: 'producer_resubscribes_total', help: 'Times the producer asked Coinbase again, on the same connection, for products it had not confirmed.', registers,
    }),
    duplicateTrades: new Counter({
      name: 'producer_duplicate_trades_total', help: 'Trades dropped because the same (product, trade id) was already published.', registers,
    }),
    watchdogStalls: new Counter({
      name: 'producer_watchdog_stalls_total', help: 'Connections that went silent past COINBASE_STALL_TIMEOUT_MS and were replaced.', registers,
    }),
    connected: new Gauge({
      name: 'producer_ws_connected', help: '1 while a connection is open and its subscriptions are confirmed, else 0.', registers,
    }),
    lastFrameAge: new Gauge({
      name: 'producer_last_frame_age_seconds', help: 'Seconds since the last frame was received; before the first, since the producer started.', registers,
      collect() { this.set(probes.lastFrameAgeSeconds()); },
    }),
    exchangeToReceipt: new Histogram({
      name: 'producer_exchange_to_receipt_seconds', help: 'Trade exchange time to producer receipt (includes clock offset; negative values count as 0).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    }),
    publishLatency: new Histogram({
      name: 'producer_kafka_publish_latency_seconds', help: 'Frame receipt to Kafka acknowledgement of its records (queueing included).',
      buckets: LATENCY_BUCKETS, registers,
    }),
    publishErrors: new Counter({
      name: 'producer_kafka_publish_errors_total', help: 'Failed Kafka sends (the batch is retried).', registers,
    }),
    queueFrames: new Gauge({
      name: 'producer_queue_frames', help: 'Frames waiting for (or in flight to) Kafka.', registers,
      collect() { this.set(probes.queueFrames()); },
    }),
    queueBytes: new Gauge({
      name: 'producer_queue_bytes', help: 'Bytes of records waiting for (or in flight to) Kafka; bounded by PRODUCER_QUEUE_MAX_BYTES.', registers,
      collect() { this.set(probes.queueBytes()); },
    }),
    queueOverflowFrames: new Counter({
      name: 'producer_queue_overflow_frames_total', help: 'Frames dropped because the queue to Kafka was full (the feed then resubscribes).', registers,
    }),
  };
  // Every reason a frame can be dead-lettered for exists from the start at 0, so rates see the first one.
  for (const reason of Object.values(DEAD_LETTER_REASONS)) {
    // The engine's and the backfill's reasons never come from the producer.
    if (!ENGINE_OR_BACKFILL_REASONS.has(reason)) metrics.invalidFrames.inc({ reason }, 0);
  }
  return metrics;
}

export type ProducerMetrics = ReturnType<typeof createProducerMetrics>;
