import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/ConfigError.js';
import { loadProgramConfig } from '../../config/loadProgramConfig.js';
import { alertRules, renderAlertRules } from './alertRules.js';

describe('alert rules', () => {
  it('are committed as `make alerts` writes them with the default thresholds', () => {
    const committed = readFileSync(new URL('../../prometheus/alerts.yml', import.meta.url), 'utf8');
    expect(committed).toBe(renderAlertRules(alertRules(loadProgramConfig('alerts', {}))));
  });

  it('take their thresholds from the ALERT_* variables', () => {
    const rules = alertRules(loadProgramConfig('alerts', {
      ALERT_FEED_STALE_SECONDS: '60', ALERT_CONSUMER_LAG_RECORDS: '500', ALERT_SIGNAL_LATENCY_P99_SECONDS: '0.05',
      ALERT_SHARPE_MIN: '-1', ALERT_SHARPE_WINDOW: '60', ALERT_MAX_DRAWDOWN: '0.1',
    }));
    expect(Object.fromEntries(rules.map((r) => [r.alert, r.expr]))).toEqual({
      FeedStale: 'producer_last_frame_age_seconds > 60',
      ProducerDisconnected: 'producer_ws_connected == 0',
      SequenceGaps: 'increase(producer_sequence_gaps_total[5m]) > 0',
      SequenceReset: 'increase(producer_sequence_resets_total[15m]) > 0',
      ProductUnconfirmed: 'max by (product) (producer_unconfirmed_products) > 0',
      DeadLetters: '(sum(rate(producer_invalid_frames_total[5m])) or vector(0)) + (sum(rate(engine_invalid_records_total[5m])) or vector(0)) > 0',
      EngineConsumerLag: 'max by (partition) (engine_consumer_lag_records) > 500',
      SignalLatencyHigh: 'histogram_quantile(0.99, sum by (le) (rate(engine_receipt_to_signal_seconds_bucket[5m]))) > 0.05',
      SharpeLow: 'engine_strategy_sharpe{window="60"} < -1',
      DrawdownBeyondLimit: 'engine_strategy_max_drawdown{window="all"} < -0.1',
    });
  });

  it('refuse bad thresholds, naming each', () => {
    expect(() => loadProgramConfig('alerts', { ALERT_MAX_DRAWDOWN: '2', ALERT_CONSUMER_LAG_RECORDS: 'many' })).toThrow(ConfigError);
    try {
      loadProgramConfig('alerts', { ALERT_MAX_DRAWDOWN: '2', ALERT_CONSUMER_LAG_RECORDS: 'many' });
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.name).sort()).toEqual(['ALERT_CONSUMER_LAG_RECORDS', 'ALERT_MAX_DRAWDOWN']);
    }
  });
});
