import type { ProgramConfig } from '../../config/loadProgramConfig.js';

/** One Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  /** What the rule measures: a query that returns series whenever the pipeline runs. */
  readonly query: string;
  /** The comparison that makes it fire, e.g. `> 30`. */
  readonly condition: string;
  /** `query condition`: the rule's expression. */
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  /** What to do when it fires: the runbook, in a sentence or two. */
  readonly action: string;
}

export type AlertThresholds = ProgramConfig<'alerts'>;

/**
 * The project's alerts, as Prometheus alerting rules (evaluated by Prometheus, routed by Alertmanager, shown
 * in Grafana as data-source-managed rules), with the thresholds of the `ALERT_*` variables.
 */
export function alertRules(t: AlertThresholds): AlertRule[] {
  const rules: Omit<AlertRule, 'expr'>[] = [
    {
      alert: 'FeedStale', query: 'producer_last_frame_age_seconds', condition: `> ${t.ALERT_FEED_STALE_SECONDS}`, for: '0s', severity: 'critical',
      summary: 'No frame from Coinbase for more than {{ $value | humanizeDuration }}',
      action: 'The producer replaces silent connections by itself; if this persists, check its logs and network access to Coinbase.',
    },
    {
      alert: 'ProducerDisconnected', query: 'producer_ws_connected', condition: '== 0', for: '1m', severity: 'critical',
      summary: 'The producer has had no confirmed Coinbase subscription for a minute',
      action: 'Check producer_ws_reconnects_total by reason and the producer\'s logs (subscription refused, network, Kafka queue full).',
    },
    {
      alert: 'SequenceGaps', query: 'increase(producer_sequence_gaps_total[5m])', condition: '> 0', for: '0s', severity: 'warning',
      summary: 'Coinbase frames were missed: sequence gaps in the last 5 minutes',
      action: 'Bars overlapping the gap are marked incomplete; frequent gaps mean the producer or its network cannot keep up.',
    },
    {
      alert: 'SequenceReset', query: 'increase(producer_sequence_resets_total[15m])', condition: '> 0', for: '0s', severity: 'warning',
      summary: 'Coinbase\'s sequence numbers restarted lower mid-connection (a venue-side restart) in the last 15 minutes',
      action: 'The producer took the new numbers as its baseline and published sequence_reset gap markers; data around the restart may be missing. Frequent resets: check Coinbase\'s status page.',
    },
    {
      alert: 'ProductUnconfirmed', query: 'max by (product) (producer_unconfirmed_products)', condition: '> 0', for: '10m', severity: 'warning',
      summary: 'Coinbase has not confirmed the subscription to {{ $labels.product }} for 10 minutes: no data for it',
      action: 'The product is unknown or delisted on this feed (check the id on Coinbase); the other products stream. Fix COINBASE_PRODUCT_IDS, or wait: it is asked for again every COINBASE_RESUBSCRIBE_INTERVAL_MS.',
    },
    {
      alert: 'DeadLetters',
      query: '(sum(rate(producer_invalid_frames_total[5m])) or vector(0)) + (sum(rate(engine_invalid_records_total[5m])) or vector(0))', condition: '> 0',
      for: '0s', severity: 'warning',
      summary: 'Records are going to the dead-letter topic prices.dlq',
      action: 'Read prices.dlq: each record carries the reason and the exact bytes (a protocol change, a producer bug).',
    },
    {
      alert: 'EngineConsumerLag', query: 'max by (partition) (engine_consumer_lag_records)', condition: `> ${t.ALERT_CONSUMER_LAG_RECORDS}`, for: '2m', severity: 'warning',
      summary: 'The engine is {{ $value }} records behind on partition {{ $labels.partition }}',
      action: 'Check engine_checkpoint_duration_seconds and engine_db_errors_total (a slow database pauses consumption), or start another engine in the group.',
    },
    {
      alert: 'SignalLatencyHigh',
      query: 'histogram_quantile(0.99, sum by (le) (rate(engine_receipt_to_signal_seconds_bucket[5m])))', condition: `> ${t.ALERT_SIGNAL_LATENCY_P99_SECONDS}`,
      for: '5m', severity: 'warning',
      summary: `Receipt → signal p99 above ${t.ALERT_SIGNAL_LATENCY_P99_SECONDS} s for 5 minutes`,
      action: 'Compare the per-hop latencies on the pipeline dashboard: Kafka (receipt → consume), checkpoints, or CPU.',
    },
    {
      alert: 'SharpeLow', query: `engine_strategy_sharpe{window="${t.ALERT_SHARPE_WINDOW}"}`, condition: `< ${t.ALERT_SHARPE_MIN}`, for: '15m', severity: 'warning',
      summary: '{{ $labels.strategy }}({{ $labels.params }}) on {{ $labels.product }} {{ $labels.interval }}: rolling Sharpe {{ printf "%.2f" $value }}',
      action: 'The strategy is losing risk-adjusted money over its recent window: review it, or replay its parameters on recent data.',
    },
    {
      alert: 'DrawdownBeyondLimit', query: 'engine_strategy_max_drawdown{window="all"}', condition: `< -${t.ALERT_MAX_DRAWDOWN}`, for: '0s', severity: 'critical',
      summary: '{{ $labels.strategy }}({{ $labels.params }}) on {{ $labels.product }} {{ $labels.interval }}: drawdown {{ $value | humanizePercentage }}',
      action: 'The instance has lost more than the limit from its peak: stop trading it and investigate before going on.',
    },
  ];
  return rules.map((r) => ({ ...r, expr: `${r.query} ${r.condition}` }));
}

/** YAML double-quoted scalar (JSON strings are valid YAML). */
const q = (text: string) => JSON.stringify(text);

/** The rules as a Prometheus rule file. */
export function renderAlertRules(rules: readonly AlertRule[]): string {
  const lines = [
    '# Generated by `make alerts` from metrics/alerts/alertRules.ts and the ALERT_* variables: do not edit.',
    'groups:',
    '  - name: strategy-engine',
    '    rules:',
  ];
  for (const r of rules) {
    lines.push(
      `      - alert: ${r.alert}`,
      `        expr: ${q(r.expr)}`,
      `        for: ${r.for}`,
      '        labels:',
      `          severity: ${r.severity}`,
      '        annotations:',
      `          summary: ${q(r.summary)}`,
      `          action: ${q(r.action)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
