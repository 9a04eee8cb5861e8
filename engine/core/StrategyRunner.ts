import type { Bar } from '../../strategies/Bar.js';
import type { JsonValue, Strategy, TargetPosition } from '../../strategies/Strategy.js';
import { PerformanceStatistics } from '../../metrics/statistics/PerformanceStatistics.js';
import { type EngineSettings, periodsPerYear, type StrategyInstance } from './EngineSettings.js';
import type { EngineOutputs, InstanceKey } from './outputs.js';
import { PositionBook, type PositionBookState } from './PositionBook.js';

export interface StrategyRunnerState {
  readonly strategyId: string;
  readonly version: number;
  readonly paramsKey: string;
  readonly strategy: JsonValue;
  readonly book: PositionBookState;
  readonly stats: JsonValue;
  readonly pending: TargetPosition | null;
  readonly lastEquity: number;
}

/**
 * One strategy instance on one product and interval. Per closed bar, in this order: the target decided at
 * the previous bar's close is filled at this bar's open (no look-ahead); a short position is liquidated if
 * the close leaves no equity (a fill timed at the bar's end); the equity is marked at this bar's close and
 * its return feeds the statistics; then the strategy sees the bar and may decide a new target for the next
 * bar's open.
 */
export class StrategyRunner {
  readonly key: InstanceKey;
  readonly #instance: StrategyInstance;
  readonly #strategy: Strategy;
  readonly #book: PositionBook;
  readonly #stats: PerformanceStatistics;
  #pending: TargetPosition | null;
  #lastEquity: number;

  constructor(settings: EngineSettings, instance: StrategyInstance, productId: string, intervalUs: number, state?: StrategyRunnerState) {
    this.#instance = instance;
    this.key = { runId: instance.runId ?? settings.runId, strategyId: instance.plugin.id, paramsKey: instance.paramsKey, productId, intervalUs };
    this.#strategy = instance.plugin.create(instance.params, { productId, intervalUs }, state?.strategy);
    this.#book = new PositionBook(settings.initialEquity, settings.feeBps, settings.slippageBps, state?.book);
    this.#stats = new PerformanceStatistics({ periodsPerYear: periodsPerYear(settings, intervalUs), windows: settings.statWindows }, state?.stats);
    this.#pending = state?.pending ?? null;
    this.#lastEquity = state?.lastEquity ?? settings.initialEquity;
  }

  /** Whether a saved state belongs to this instance (same strategy, version and parameters). */
  static matches(state: StrategyRunnerState, instance: StrategyInstance): boolean {
    return state.strategyId === instance.plugin.id && state.version === instance.plugin.version && state.paramsKey === instance.paramsKey;
  }

  onBar(bar: Bar, out: EngineOutputs): void {
    if (this.#pending !== null) {
      const fills = this.#book.moveTo(this.#pending, bar.open);
      fills.forEach((fill, seq) => {
        out.fills.push({ ...this.key, timeUs: bar.startUs, seq, ...fill });
        if (fill.realizedPnl !== null) this.#stats.addClosedTrade(fill.realizedPnl);
      });
      this.#pending = null;
    }
    const wasBankrupt = this.#book.bankrupt;
    const liquidation = this.#book.liquidateIfInsolvent(bar.close);
    if (liquidation !== null) {
      out.fills.push({ ...this.key, timeUs: bar.endUs, seq: 0, ...liquidation });
      if (liquidation.realizedPnl !== null) this.#stats.addClosedTrade(liquidation.realizedPnl);
    }
    const equity = this.#book.equity(bar.close);
    const barReturn = wasBankrupt ? 0 : equity / this.#lastEquity - 1;
    this.#lastEquity = equity;
    // A bankrupt instance's statistics stay as they were when it went bankrupt.
    if (!wasBankrupt) this.#stats.addBarReturn(barReturn);
    const signal = this.#strategy.onBar(bar);
    if (signal !== null && !this.#book.bankrupt && signal.target !== this.#book.direction) {
      this.#pending = signal.target;
      out.signals.push({ ...this.key, barEndUs: bar.endUs, target: signal.target, reason: signal.reason, price: bar.close });
    }
    out.metrics.push({
      ...this.key, barEndUs: bar.endUs, equity, position: this.#book.quantity, barReturn,
      stats: [this.#stats.sinceStart(), ...this.#stats.windows()],
    });
  }

  snapshot(): StrategyRunnerState {
    return {
      strategyId: this.#instance.plugin.id, version: this.#instance.plugin.version, paramsKey: this.#instance.paramsKey,
      strategy: this.#strategy.snapshot(), book: this.#book.snapshot(), stats: this.#stats.snapshot(),
      pending: this.#pending, lastEquity: this.#lastEquity,
    };
  }
}
