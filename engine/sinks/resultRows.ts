import { decisionRecord, lateEventRecord, performanceRecord, wireStatistics } from '../../wire/engineRecords.js';
import { deadLetterRecord } from '../../wire/deadLetterRecord.js';
import { toWireNumber } from '../../wire/jsonNumbers.js';
import type { TopicNames } from '../../wire/topics.js';
import type { WireRecord } from '../../wire/WireRecord.js';
import type { EngineOutputs, InstanceKey } from '../core/outputs.js';
import type { ColumnTypes } from './insertRows.js';
import { usToTimestamp } from './usToTimestamp.js';

export interface OutboxRecord {
  readonly topic: string;
  readonly record: WireRecord;
}

const instance = (k: InstanceKey) => ({
  run_id: k.runId, strategy_id: k.strategyId, params_key: k.paramsKey, product_id: k.productId, interval_s: k.intervalUs / 1_000_000,
});

const T = 'text';
const INT = 'integer';
const TIME = 'timestamp with time zone';
const F8 = 'double precision';
const INSTANCE = { run_id: T, strategy_id: T, params_key: T, product_id: T, interval_s: INT } as const;

/** The columns of each result table that {@link resultRows} fills, with their types (migrations 0001 and 0005). */
export const RESULT_COLUMNS = {
  bars: {
    run_id: T, product_id: T, interval_s: INT, bucket: TIME, open: F8, high: F8, low: F8, close: F8, volume: F8, vwap: F8, trade_count: INT, complete: 'boolean',
  },
  signals: { ...INSTANCE, time: TIME, target: T, reason: T, price: F8 },
  trades: {
    ...INSTANCE, time: TIME, seq: 'smallint', side: T, quantity: F8, price: F8, fee: F8, realized_pnl: F8, position_after: F8, signal_time: TIME, liquidation: 'boolean',
  },
  strategy_metrics: {
    ...INSTANCE, window_bars: INT, time: TIME, equity: F8, position: F8, bar_return: F8, bars: INT, cumulative_return: F8, annual_volatility: F8,
    sharpe: F8, sortino: F8, max_drawdown: F8, win_rate: F8, trade_count: INT,
  },
} as const satisfies Record<string, ColumnTypes>;

/**
 * The rows of each result table, and the Kafka records, that a batch of engine outputs becomes (no Kafka
 * records when `publish` is false).
 */
export function resultRows(out: EngineOutputs, topics: TopicNames, publish = true) {
  const bars = out.bars.map((b) => ({
    run_id: b.runId, product_id: b.productId, interval_s: b.intervalUs / 1_000_000, bucket: usToTimestamp(b.startUs),
    open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, vwap: b.vwap, trade_count: b.tradeCount, complete: b.complete,
  }));
  const signals = out.signals.map((s) => ({
    ...instance(s), time: usToTimestamp(s.barEndUs), target: s.target, reason: s.reason, price: s.price,
  }));
  const trades = out.fills.map((f) => ({
    ...instance(f), time: usToTimestamp(f.timeUs), seq: f.seq, side: f.side, quantity: f.quantity, price: f.price, fee: f.fee,
    realized_pnl: f.realizedPnl, position_after: f.positionAfter,
    signal_time: f.signalUs === null ? null : usToTimestamp(f.signalUs), liquidation: f.liquidation,
  }));
  // The most numerous rows (one per bar, instance and window): the shared columns are computed once per bar.
  const metrics = out.metrics.flatMap((m) => {
    const time = usToTimestamp(m.barEndUs);
    const intervalS = m.intervalUs / 1_000_000;
    return m.stats.map((s) => ({
      run_id: m.runId, strategy_id: m.strategyId, params_key: m.paramsKey, product_id: m.productId, interval_s: intervalS,
      window_bars: s.windowBars, time, equity: m.equity, position: m.position,
      bar_return: m.barReturn, bars: s.bars, cumulative_return: s.cumulativeReturn, annual_volatility: s.annualVolatility,
      sharpe: s.sharpe, sortino: s.sortino, max_drawdown: s.maxDrawdown, win_rate: s.winRate, trade_count: s.tradeCount,
    }));
  });
  const ref = (k: InstanceKey) => ({ runId: k.runId, strategyId: k.strategyId, paramsKey: k.paramsKey, productId: k.productId, intervalS: k.intervalUs / 1_000_000 });
  const outbox: OutboxRecord[] = !publish ? [] : [
    ...out.signals.map((s) => ({
      topic: topics.decisions,
      record: decisionRecord({ v: 1, ...ref(s), barEndUs: s.barEndUs, target: s.target, reason: s.reason, price: s.price }),
    })),
    ...out.metrics.map((m) => ({
      topic: topics.performance,
      record: performanceRecord({
        v: 1, ...ref(m), barEndUs: m.barEndUs, equity: toWireNumber(m.equity), position: toWireNumber(m.position),
        barReturn: toWireNumber(m.barReturn), stats: m.stats.map(wireStatistics),
      }),
    })),
    ...out.late.map((l) => ({ topic: topics.late, record: lateEventRecord(l) })),
    ...out.invalid.map((letter) => ({ topic: topics.deadLetter, record: deadLetterRecord(letter) })),
  ];
  return { bars, signals, trades, metrics, outbox };
}
