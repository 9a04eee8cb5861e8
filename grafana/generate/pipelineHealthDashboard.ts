import type { Dashboard } from '@grafana/schema';
import { dashboard } from './dashboard.js';
import { layout, prom, type PanelSpec, type PromQuery } from './panels.js';

/** A counter's per-second rate or increase over Grafana's rate interval, summed (by labels). */
const counter = (fn: 'rate' | 'increase') => (name: string, by = '') =>
  `sum${by === '' ? '' : ` by (${by})`} (${fn}(${name}[$__rate_interval]))`;
const rate = counter('rate');
const increase = counter('increase');
const PROCESSES = '{job=~"producer|engine"}';

/** The hops of an event through the pipeline, each measured by its own histogram. */
const HOPS: readonly { histogram: string; legend: string }[] = [
  { histogram: 'producer_exchange_to_receipt_seconds', legend: 'exchange → producer receipt' },
  { histogram: 'producer_kafka_publish_latency_seconds', legend: 'receipt → Kafka ack' },
  { histogram: 'engine_receipt_to_consume_seconds', legend: 'receipt → engine' },
  { histogram: 'engine_receipt_to_signal_seconds', legend: 'receipt → signal' },
  { histogram: 'engine_event_to_emit_seconds', legend: 'bar end → bar emitted' },
  { histogram: 'engine_checkpoint_duration_seconds', legend: 'database write (checkpoint)' },
];

const quantile = (q: number, histogram: string, legend: string): PromQuery =>
  prom(`histogram_quantile(${String(q)}, sum by (le) (rate(${histogram}_bucket[$__rate_interval])))`, legend);

const hopLatency = (q: number): PanelSpec => ({
  title: `Latency per hop, p${String(q * 100)}`, type: 'timeseries', width: 12, unit: 's',
  description: `Where time goes between the exchange and a stored result: the ${String(q * 100)}th percentile of each hop. Exchange → receipt includes the clock offset between Coinbase and this host.`,
  queries: HOPS.map((h) => quantile(q, h.histogram, h.legend)),
});

/** Pipeline health: is the feed alive, is anything lost, how far behind and how slow is each hop. */
export function pipelineHealthDashboard(): Dashboard {
  return dashboard({
    uid: 'pipeline-health',
    title: 'Pipeline health',
    description: 'Coinbase feed, Kafka, engine and database: liveness, loss, lag and latency per hop (Prometheus).',
    tags: ['crypto-strategy-engine', 'pipeline'],
    refresh: '10s',
    timeFrom: 'now-1h',
    variables: [],
    annotations: [],
    panels: layout([
      {
        title: 'Coinbase → producer',
        rows: [[
          {
            title: 'Connected', type: 'stat', width: 4, queries: [prom('min(producer_ws_connected)', 'connected')],
            description: 'Is the producer subscribed to Coinbase right now? 1: every channel confirmed; 0: reconnecting.',
          },
          {
            title: 'Age of the last frame', type: 'stat', width: 4, unit: 's', decimals: 1, redAbove: 30,
            queries: [prom('max(producer_last_frame_age_seconds)', 'age')],
            description: 'Seconds since any frame arrived. Coinbase sends heartbeats every second, so more than a few seconds means the feed is stale.',
          },
          {
            title: 'Frames per second by channel', type: 'timeseries', width: 8, unit: 'cps',
            queries: [prom(rate('producer_ws_frames_total', 'channel'), '{{channel}}')],
            description: 'What Coinbase sends, by channel (`invalid`: frames sent to the dead-letter topic).',
          },
          {
            title: 'Trades published per second by product', type: 'timeseries', width: 8, unit: 'cps',
            queries: [prom(rate('producer_trades_published_total', 'product'), '{{product}}')],
            description: 'Trades acknowledged by Kafka: the engine\'s input, per product.',
          },
        ], [
          {
            title: 'Reconnects by reason', type: 'timeseries', width: 8, style: 'bars',
            queries: [prom(increase('producer_ws_reconnects_total', 'reason'), '{{reason}}')],
            description: 'Connections replaced, and why: closed by Coinbase, stalled (watchdog), refused subscription, queue overflow.',
          },
          {
            title: 'Sequence gaps', type: 'timeseries', width: 8, style: 'bars',
            queries: [
              prom(increase('producer_sequence_gaps_total'), 'gaps'),
              prom(increase('producer_sequence_missed_frames_total'), 'missed frames'),
              prom(increase('producer_sequence_resets_total'), 'numbering restarts'),
            ],
            description: 'Were Coinbase frames lost? Each gap publishes a gap marker; the engine marks the affected bars incomplete. A numbering restart (Coinbase\'s sequence stepped far back mid-connection, a venue-side restart) becomes the new baseline and publishes a `sequence_reset` gap marker.',
          },
          {
            title: 'Dead-letter rate by reason', type: 'timeseries', width: 8, unit: 'cps',
            queries: [
              prom(rate('producer_invalid_frames_total', 'reason'), 'producer: {{reason}}'),
              prom(rate('engine_invalid_records_total', 'reason'), 'engine: {{reason}}'),
            ],
            description: 'Records sent to prices.dlq, with the reason; each keeps its exact bytes. Anything above zero needs a look.',
          },
        ], [
          {
            title: 'Products Coinbase has not confirmed', type: 'timeseries', width: 8, style: 'steps', min: 0,
            queries: [prom('max by (product) (producer_unconfirmed_products)', '{{product}}')],
            description: 'Is every product subscribed? 1: Coinbase\'s answer left the product out (unknown, delisted): no data for it, while the others stream; it is asked for again every COINBASE_RESUBSCRIBE_INTERVAL_MS and goes to 0 once confirmed.',
          },
          {
            title: 'Queue to Kafka', type: 'timeseries', width: 8, unit: 'bytes',
            queries: [prom('sum(producer_queue_bytes)', 'queued bytes')],
            description: 'Bytes waiting for Kafka. Growth means Kafka is slow or down; at PRODUCER_QUEUE_MAX_BYTES frames are dropped.',
          },
          {
            title: 'Kafka publish errors and dropped frames', type: 'timeseries', width: 8, style: 'bars',
            queries: [
              prom(increase('producer_kafka_publish_errors_total'), 'publish errors (retried)'),
              prom(increase('producer_queue_overflow_frames_total'), 'frames dropped (queue full)'),
            ],
            description: 'Failed Kafka sends (retried, nothing lost) and frames dropped because the queue was full (lost, marked by a gap marker).',
          },
        ]],
      },
      {
        title: 'Kafka → engine',
        rows: [[
          {
            title: 'Consumer lag by partition', type: 'timeseries', width: 8, unit: 'short',
            queries: [prom('sum by (partition) (engine_consumer_lag_records)', 'partition {{partition}}')],
            description: 'Records in prices.normalized not yet processed by the engine, per partition. Rising lag means the engine cannot keep up.',
          },
          {
            title: 'Records consumed per second by partition', type: 'timeseries', width: 8, unit: 'cps',
            queries: [prom(rate('engine_records_consumed_total', 'partition'), 'partition {{partition}}')],
            description: 'The engine\'s intake, per partition.',
          },
          {
            title: 'Event time behind wall clock', type: 'timeseries', width: 8, unit: 's',
            queries: [prom('time() - max by (partition) (engine_watermark_seconds)', 'partition {{partition}}')],
            description: 'How far each partition\'s watermark (event time) trails now: allowed lateness plus every delay upstream.',
          },
        ], [
          {
            title: 'Bars closed per second by interval', type: 'timeseries', width: 8, unit: 'cps',
            queries: [prom(rate('engine_bars_closed_total', 'interval'), '{{interval}}')],
            description: 'Bars closed by the watermark: one per product and interval per interval when the feed is healthy.',
          },
          {
            title: 'Late trades by product', type: 'timeseries', width: 8, style: 'bars',
            queries: [prom(increase('engine_late_trades_total', 'product'), '{{product}}')],
            description: 'Trades that arrived behind the watermark (their bar had closed): sent to prices.late, not counted in bars.',
          },
          {
            title: 'Signals by target position', type: 'timeseries', width: 8, style: 'bars',
            queries: [prom(increase('engine_signals_total', 'target'), '{{target}}')],
            description: 'Strategy decisions of the live engine, by the position they ask for.',
          },
        ]],
      },
      {
        title: 'Latency per hop',
        rows: [[hopLatency(0.99), hopLatency(0.5)]],
      },
      {
        title: 'Database',
        rows: [[
          {
            title: 'Database write latency', type: 'timeseries', width: 8, unit: 's',
            queries: [
              quantile(0.5, 'engine_checkpoint_duration_seconds', 'p50'),
              quantile(0.99, 'engine_checkpoint_duration_seconds', 'p99'),
            ],
            description: 'Duration of a checkpoint transaction (results, state and offsets together).',
          },
          {
            title: 'Checkpoints by result and database errors', type: 'timeseries', width: 8, unit: 'cps',
            queries: [
              prom(rate('engine_checkpoints_total', 'result'), 'checkpoints {{result}}'),
              prom(rate('engine_db_errors_total'), 'database errors (retried)'),
            ],
            description: 'Checkpoints per second (ok, fenced by a newer owner, error) and failed database operations.',
          },
          {
            title: 'Result rows written per second', type: 'timeseries', width: 8, unit: 'cps',
            queries: [prom(rate('engine_checkpoint_rows_total'), 'rows')],
            description: 'Bars, signals, trades and statistics rows committed by checkpoints.',
          },
        ]],
      },
      {
        title: 'Processes',
        rows: [[
          {
            title: 'CPU', type: 'timeseries', width: 8, unit: 'percentunit',
            queries: [prom(`sum by (job) (rate(process_cpu_seconds_total${PROCESSES}[$__rate_interval]))`, '{{job}}')],
            description: 'CPU used by the producer and the engine (1 = one core).',
          },
          {
            title: 'Resident memory', type: 'timeseries', width: 8, unit: 'bytes',
            queries: [prom(`sum by (job) (process_resident_memory_bytes${PROCESSES})`, '{{job}}')],
            description: 'Memory held by each program.',
          },
          {
            title: 'Event-loop lag, p99', type: 'timeseries', width: 8, unit: 's',
            queries: [prom(`max by (job) (nodejs_eventloop_lag_p99_seconds${PROCESSES})`, '{{job}}')],
            description: 'How long callbacks wait for the Node.js event loop: a busy or blocked process.',
          },
        ]],
      },
    ]),
  });
}
