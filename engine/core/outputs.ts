import type { Bar } from '../../strategies/Bar.js';
import type { TargetPosition } from '../../strategies/Strategy.js';
import type { StatisticsValues } from '../../metrics/statistics/PerformanceStatistics.js';
import type { DeadLetter } from '../../wire/deadLetterRecord.js';
import type { Fill } from './PositionBook.js';
import type { MarketEvent } from '../../wire/MarketEvent.js';

/** Which strategy instance a result belongs to. */
export interface InstanceKey {
  readonly runId: string;
  readonly strategyId: string;
  readonly paramsKey: string;
  readonly productId: string;
  readonly intervalUs: number;
}

export interface BarOutput extends Bar {
  readonly runId: string;
}

export interface SignalOutput extends InstanceKey {
  /** The bar whose close produced the signal; it fills at the first price at or after this + the allowed lateness. */
  readonly barEndUs: number;
  readonly target: TargetPosition;
  readonly reason: string;
  readonly price: number;
}

export interface FillOutput extends InstanceKey, Fill {
  /** Event time of the trade or quote it filled at (a liquidation at a bar's mark: that bar's end), µs. */
  readonly timeUs: number;
  /** Sequence among the instance's fills at that time (a reversal is two fills). */
  readonly seq: number;
  /** End of the bar whose close decided it, µs; null for a liquidation at a mark. */
  readonly signalUs: number | null;
}

export interface MetricsOutput extends InstanceKey {
  readonly barEndUs: number;
  readonly equity: number;
  /** Signed quantity held after the bar (negative: short). */
  readonly position: number;
  readonly barReturn: number;
  readonly stats: readonly StatisticsValues[];
}

export interface LateOutput {
  readonly runId: string;
  readonly event: MarketEvent;
  readonly partition: number;
  readonly offset: string;
  readonly watermarkUs: number;
}

/** What processing produced, in order, until the edge writes it out. */
export class EngineOutputs {
  bars: BarOutput[] = [];
  signals: SignalOutput[] = [];
  fills: FillOutput[] = [];
  metrics: MetricsOutput[] = [];
  late: LateOutput[] = [];
  /** Records that could not be decoded: they go to the dead-letter topic. */
  invalid: DeadLetter[] = [];
  gaps = 0;
  /** Trades dropped because their id was already seen for the product, and candles repeating one already counted. */
  duplicates = 0;
  /** Trades and candles ignored because the other kind already feeds their bucket (they never count twice). */
  covered = 0;

  get size(): number {
    return this.bars.length + this.signals.length + this.fills.length + this.metrics.length + this.late.length + this.invalid.length;
  }

  /** Empties the buffer and returns what it held. */
  drain(): EngineOutputs {
    const drained = new EngineOutputs();
    [drained.bars, drained.signals, drained.fills, drained.metrics, drained.late, drained.invalid, drained.gaps, drained.duplicates, drained.covered] =
      [this.bars, this.signals, this.fills, this.metrics, this.late, this.invalid, this.gaps, this.duplicates, this.covered];
    this.bars = [];
    this.signals = [];
    this.fills = [];
    this.metrics = [];
    this.late = [];
    this.invalid = [];
    this.gaps = 0;
    this.duplicates = 0;
    this.covered = 0;
    return drained;
  }
}
