import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DEAD_LETTER_REASONS } from '../wire/deadLetterRecord.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const INSTANCE = ['strategy', 'params', 'product', 'interval'] as const;

/**
 * The engine's Prometheus metrics: per strategy instance (strategy, params, product, interval; `window` is
 * `all` since the start or the rolling window in bars) and pipeline health. Label values are bounded by the
 * configuration and the subscribed products.
 */
export function createEngineMetrics(registry: Registry) {
  const registers = [registry];
  const metrics = {
    equity: new Gauge({ name: 'engine_strategy_equity', help: 'Marked-to-market equity at the last closed bar, quote currency.', labelNames: INSTANCE, registers }),
    position: new Gauge({ name: 'engine_strategy_position', help: 'Signed quantity held after the last closed bar (negative: short).', labelNames: INSTANCE, registers }),
    cumulativeReturn: new Gauge({ name: 'engine_strategy_cumulative_return', help: 'Cumulative return, since the start or over the window.', labelNames: [...INSTANCE, 'window'] as const, registers }),
    sharpe: new Gauge({ name: 'engine_strategy_sharpe', help: 'Annualised Sharpe ratio (NaN below 2 bars, ±Inf with zero dispersion).', labelNames: [...INSTANCE, 'window'] as const, registers }),
    sortino: new Gauge({ name: 'engine_strategy_sortino', help: 'Annualised Sortino ratio.', labelNames: [...INSTANCE, 'window'] as const, registers }),
    drawdown: new Gauge({ name: 'engine_strategy_max_drawdown', help: 'Maximum drawdown as a fraction ≤ 0.', labelNames: [...INSTANCE, 'window'] as const, registers }),
    signals: new Counter({ name: 'engine_signals_total', help: 'Strategy decisions, by target position.', labelNames: [...INSTANCE, 'target'] as const, registers }),
    fills: new Counter({ name: 'engine_fills_total', help: 'Simulated fills.', labelNames: INSTANCE, registers }),

    recordsConsumed: new Counter({ name: 'engine_records_consumed_total', help: 'Records read from prices.normalized.', labelNames: ['partition'] as const, registers }),
    invalidRecords: new Counter({ name: 'engine_invalid_records_total', help: 'Records sent to the dead-letter topic, by reason (undecodable; clock_skew: exchange time implausibly ahead of receipt; candle_granularity: a candle coarser than the smallest bar interval).', labelNames: ['reason'] as const, registers }),
    lateTrades: new Counter({ name: 'engine_late_trades_total', help: 'Trades behind the watermark, sent to the late side output.', labelNames: ['product'] as const, registers }),
    gapMarkers: new Counter({ name: 'engine_gap_markers_total', help: 'Gap markers received (their bars are marked incomplete).', registers }),
    barsClosed: new Counter({ name: 'engine_bars_closed_total', help: 'Bars closed by the watermark.', labelNames: ['interval'] as const, registers }),
    consumerLag: new Gauge({ name: 'engine_consumer_lag_records', help: 'Records in the partition not yet processed.', labelNames: ['partition'] as const, registers }),
    watermark: new Gauge({ name: 'engine_watermark_seconds', help: 'Event-time watermark of the partition, Unix seconds.', labelNames: ['partition'] as const, registers }),
    keyedProducts: new Gauge({ name: 'engine_keyed_products', help: 'Products held in keyed state (idle ones are evicted).', registers }),
    receiptToConsume: new Histogram({ name: 'engine_receipt_to_consume_seconds', help: 'Producer receipt of an event to the engine reading it (through Kafka).', buckets: LATENCY_BUCKETS, registers }),
    eventToEmit: new Histogram({ name: 'engine_event_to_emit_seconds', help: 'End of a bar (event time) to the engine emitting it: allowed lateness plus delays.', buckets: LATENCY_BUCKETS, registers }),
    receiptToSignal: new Histogram({ name: 'engine_receipt_to_signal_seconds', help: 'Producer receipt of the event that closed a bar to the signal it produced.', buckets: LATENCY_BUCKETS, registers }),
    checkpointDuration: new Histogram({ name: 'engine_checkpoint_duration_seconds', help: 'Duration of a checkpoint transaction (the database write latency).', buckets: LATENCY_BUCKETS, registers }),
    checkpoints: new Counter({ name: 'engine_checkpoints_total', help: 'Checkpoint transactions, by result (ok, fenced, error).', labelNames: ['result'] as const, registers }),
    checkpointRows: new Counter({ name: 'engine_checkpoint_rows_total', help: 'Result rows written by checkpoints.', registers }),
    dbErrors: new Counter({ name: 'engine_db_errors_total', help: 'Failed database operations (retried).', registers }),
    duplicateTrades: new Counter({ name: 'engine_duplicate_trades_total', help: 'Trades dropped because their id was already seen for the product (e.g. re-delivered after a reconnect).', registers }),
    coveredRecords: new Counter({ name: 'engine_covered_records_total', help: 'Trades and candles ignored because the other kind already feeds their bar (trades and candles never count twice).', registers }),
    outboxPublished: new Counter({ name: 'engine_outbox_published_total', help: 'Records published from the outbox to Kafka.', registers }),
  };
  // Label values known in advance exist from the start at 0, so that rates and dashboards see the first one.
  metrics.invalidRecords.inc({ reason: DEAD_LETTER_REASONS.undecodable }, 0);
  metrics.invalidRecords.inc({ reason: DEAD_LETTER_REASONS.clock_skew }, 0);
  metrics.invalidRecords.inc({ reason: DEAD_LETTER_REASONS.candle_granularity }, 0);
  for (const result of ['ok', 'fenced', 'error']) metrics.checkpoints.inc({ result }, 0);
  return metrics;
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;
