import type { MarketEvent } from './MarketEvent.js';
import { encodeMarketEvent } from './marketEventCodec.js';
import { toWireNumber, type WireNumber } from './jsonNumbers.js';
import type { WireRecord } from './WireRecord.js';

/** Identifies a strategy instance on the wire; the key of its decision and performance records. */
export interface InstanceRef {
  readonly runId: string;
  readonly strategyId: string;
  readonly paramsKey: string;
  readonly productId: string;
  readonly intervalS: number;
}

const instanceKey = (i: InstanceRef) => `${i.strategyId}|${i.paramsKey}|${i.productId}|${i.intervalS}`;

/** `signals.decisions`: a strategy wants a new position from the next bar's open. */
export interface DecisionRecord extends InstanceRef {
  readonly v: 1;
  /** End of the bar that produced the decision, µs since the epoch. */
  readonly barEndUs: number;
  readonly target: 'long' | 'flat' | 'short';
  readonly reason: string;
  readonly price: number;
}

export function decisionRecord(d: DecisionRecord): WireRecord {
  return { key: instanceKey(d), value: JSON.stringify(d), headers: { 'run-id': d.runId }, timestampMs: Math.floor(d.barEndUs / 1000) };
}

export interface WireStatistics {
  readonly windowBars: number;
  readonly bars: number;
  readonly cumulativeReturn: WireNumber;
  readonly annualVolatility: WireNumber;
  readonly sharpe: WireNumber;
  readonly sortino: WireNumber;
  readonly maxDrawdown: WireNumber;
  readonly winRate: WireNumber;
  readonly tradeCount: number;
}

/** `metrics.performance`: a strategy instance's equity and statistics at a bar's close. */
export interface PerformanceRecord extends InstanceRef {
  readonly v: 1;
  readonly barEndUs: number;
  readonly equity: WireNumber;
  readonly position: WireNumber;
  readonly barReturn: WireNumber;
  /** Since the start (windowBars 0), then each rolling window. */
  readonly stats: readonly WireStatistics[];
}

export function performanceRecord(p: PerformanceRecord): WireRecord {
  return { key: instanceKey(p), value: JSON.stringify(p), headers: { 'run-id': p.runId }, timestampMs: Math.floor(p.barEndUs / 1000) };
}

export function wireStatistics(s: { windowBars: number; bars: number; cumulativeReturn: number; annualVolatility: number; sharpe: number; sortino: number; maxDrawdown: number; winRate: number; tradeCount: number }): WireStatistics {
  return {
    windowBars: s.windowBars, bars: s.bars, cumulativeReturn: toWireNumber(s.cumulativeReturn),
    annualVolatility: toWireNumber(s.annualVolatility), sharpe: toWireNumber(s.sharpe), sortino: toWireNumber(s.sortino),
    maxDrawdown: toWireNumber(s.maxDrawdown), winRate: toWireNumber(s.winRate), tradeCount: s.tradeCount,
  };
}

/** `prices.late`: a trade that arrived after its bar had closed, as it was, with where it was and the watermark then. */
export function lateEventRecord(late: { runId: string; event: MarketEvent; partition: number; offset: string; watermarkUs: number }): WireRecord {
  return {
    key: late.event.productId,
    value: encodeMarketEvent(late.event),
    headers: { 'run-id': late.runId, partition: String(late.partition), offset: late.offset, 'watermark-us': String(late.watermarkUs) },
    timestampMs: Math.floor(late.event.exchangeTimeUs / 1000),
  };
}
