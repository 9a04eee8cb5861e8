import type { Bar } from '../../strategies/Bar.js';
import type { JsonValue, Strategy, TargetPosition } from '../../strategies/Strategy.js';
import { PerformanceStatistics } from '../../metrics/statistics/PerformanceStatistics.js';
import { type EngineSettings, periodsPerYear, recordsBar, type StrategyInstance } from './EngineSettings.js';
import type { EngineOutputs, InstanceKey } from './outputs.js';
import { type Fill, PositionBook, type PositionBookState } from './PositionBook.js';

/** A target decided at a bar's close, waiting for the first price at or after its decision time. */
export interface PendingOrder {
  readonly target: TargetPosition;
  /** The bar end at whose close it was decided, µs. */
  readonly signalUs: number;
  /** When the decision is known in event time: the bar end plus the allowed lateness, µs. */
  readonly decisionUs: number;
}

/** An order matched to a price that existed at or after its decision; booked when the bar holding `timeUs` closes. */
export interface MatchedOrder {
  readonly target: TargetPosition;
  readonly signalUs: number;
  /** The trade's price, or the quote's ask (buy) or bid (sell), before slippage. */
  readonly price: number;
  /** The event time of that trade or quote, µs. */
  readonly timeUs: number;
}

/** A marked bar's own values, as its `strategy_metrics` rows hold them beside the statistics. */
export interface MarkedBar {
  readonly barEndUs: number;
  readonly equity: number;
  /** Signed quantity held after the bar. */
  readonly position: number;
  readonly barReturn: number;
}

export interface StrategyRunnerState {
  readonly strategyId: string;
  readonly version: number;
  readonly paramsKey: string;
  readonly strategy: JsonValue;
  readonly book: PositionBookState;
  readonly stats: JsonValue;
  readonly order: PendingOrder | null;
  readonly matched: readonly MatchedOrder[];
  readonly lastEquity: number;
  /** End of the last bar marked, µs; null before the first. */
  readonly lastBarEndUs: number | null;
  /** Event time of the last fill and the next fill sequence number at that time. */
  readonly lastFillUs: number;
  readonly nextSeq: number;
  /** The last bar, when its rows wait for `recordLatest` (`EngineSettings.recordEveryUs`); absent in older states. */
  readonly unwritten?: MarkedBar | null;
}

/**
 * One strategy instance on one product and interval: the strategy, its position book and its statistics.
 *
 * Timing (docs/conventions.md, "Fills"): the strategy decides at a bar's close, which is known in event time
 * only when the watermark passes the bar's end, that is at `decisionUs = bar end + allowed lateness`. The
 * order then fills at the first trade of the product (or quote, by `fillPrice`) whose event time is at or after
 * `decisionUs` and not before the instance's previous fill; carried-forward closes of empty bars are never fill
 * prices. A matched order is booked when the bar that holds its time closes, before that bar is marked, so
 * each bar's return reflects exactly the fills inside it. Per closed bar, in order: book the fills inside it;
 * liquidate a position whose marked equity is zero or less; mark the equity at the close (a fill in a bar
 * without trades is marked at its own price, the latest there is); feed the bar return to the statistics;
 * let the strategy see the bar.
 */
export class StrategyRunner {
  readonly key: InstanceKey;
  readonly #instance: StrategyInstance;
  readonly #strategy: Strategy;
  readonly #book: PositionBook;
  readonly #stats: PerformanceStatistics;
  readonly #allowedLatenessUs: number;
  readonly #settings: EngineSettings;
  #order: PendingOrder | null;
  #matched: MatchedOrder[];
  #lastEquity: number;
  #lastBarEndUs: number | null;
  #lastFillUs: number;
  #nextSeq: number;
  #unwritten: MarkedBar | null;

  constructor(settings: EngineSettings, instance: StrategyInstance, productId: string, intervalUs: number, state?: StrategyRunnerState) {
    this.#instance = instance;
    this.key = { runId: instance.runId ?? settings.runId, strategyId: instance.plugin.id, paramsKey: instance.paramsKey, productId, intervalUs };
    this.#strategy = instance.plugin.create(instance.params, { productId, intervalUs }, state?.strategy);
    this.#book = new PositionBook(settings.initialEquity, settings.feeBps, settings.slippageBps, state?.book);
    this.#stats = new PerformanceStatistics({ periodsPerYear: periodsPerYear(settings, intervalUs), windows: settings.statWindows, riskFreeRate: settings.riskFreeRate, sortinoMar: settings.sortinoMar }, state?.stats);
    this.#allowedLatenessUs = settings.allowedLatenessUs;
    this.#settings = settings;
    this.#order = state?.order ?? null;
    this.#matched = state?.matched.slice() ?? [];
    this.#lastEquity = state?.lastEquity ?? settings.initialEquity;
    this.#lastBarEndUs = state?.lastBarEndUs ?? null;
    this.#lastFillUs = state?.lastFillUs ?? Number.MIN_SAFE_INTEGER;
    this.#nextSeq = state?.nextSeq ?? 0;
    this.#unwritten = state?.unwritten ?? null;
  }

  /** Whether a saved state belongs to this instance (same strategy, version and parameters). */
  static matches(state: StrategyRunnerState, instance: StrategyInstance): boolean {
    return state.strategyId === instance.plugin.id && state.version === instance.plugin.version && state.paramsKey === instance.paramsKey;
  }

  /** Whether an order waits for a price. */
  get hasOrder(): boolean {
    return this.#order !== null;
  }

  /**
   * Offers a price that existed at `timeUs`: a trade's price (`buyPrice` = `sellPrice`), or a quote's ask
   * and bid (null when that side is empty). Matches the waiting order when the time is at or after its
   * decision, not before the previous fill, and inside a bar not yet marked. Returns whether it matched.
   */
  offer(timeUs: number, buyPrice: number | null, sellPrice: number | null): boolean {
    const order = this.#order;
    if (order === null || timeUs < order.decisionUs) return false;
    const previousUs = this.#matched.length > 0 ? (this.#matched[this.#matched.length - 1] as MatchedOrder).timeUs : this.#lastFillUs;
    if (timeUs < previousUs || (this.#lastBarEndUs !== null && timeUs < this.#lastBarEndUs)) return false;
    const price = this.#buys(order.target) ? buyPrice : sellPrice;
    if (price === null) return false;
    this.#matched.push({ target: order.target, signalUs: order.signalUs, price, timeUs });
    this.#order = null;
    return true;
  }

  onBar(bar: Bar, out: EngineOutputs): void {
    const wasBankrupt = this.#book.bankrupt;
    let markPrice = bar.close;
    let markTimeUs = Number.MIN_SAFE_INTEGER;
    while (this.#matched.length > 0 && (this.#matched[0] as MatchedOrder).timeUs < bar.endUs) {
      const m = this.#matched.shift() as MatchedOrder;
      for (const fill of this.#book.moveTo(m.target, m.price)) this.#record(fill, m.timeUs, m.signalUs, out);
      if (bar.tradeCount === 0 && m.timeUs >= markTimeUs) {
        markPrice = m.price;
        markTimeUs = m.timeUs;
      }
    }
    const liquidation = this.#book.liquidateIfInsolvent(markPrice);
    if (liquidation !== null) this.#record(liquidation, bar.endUs, null, out);
    if (this.#book.bankrupt) this.#order = null;
    const equity = this.#book.equity(markPrice);
    const barReturn = equity / this.#lastEquity - 1;
    this.#lastEquity = equity;
    this.#lastBarEndUs = bar.endUs;
    // A bankrupt instance's statistics stay as they were when it went bankrupt.
    if (!wasBankrupt) this.#stats.addBarReturn(barReturn);
    const signal = this.#strategy.onBar(bar);
    if (signal !== null && !this.#book.bankrupt) {
      const held = this.#matched.length > 0 ? (this.#matched[this.#matched.length - 1] as MatchedOrder).target : this.#book.direction;
      const intended = this.#order?.target ?? held;
      if (signal.target !== intended) {
        // A new target replaces an order still waiting for a price; one back to the position held cancels it.
        this.#order = signal.target === held ? null : { target: signal.target, signalUs: bar.endUs, decisionUs: bar.endUs + this.#allowedLatenessUs };
        out.signals.push({ ...this.key, barEndUs: bar.endUs, target: signal.target, reason: signal.reason, price: bar.close });
      }
    }
    const marked = { barEndUs: bar.endUs, equity, position: this.#book.quantity, barReturn: wasBankrupt ? 0 : barReturn };
    if (recordsBar(this.#settings, bar.endUs)) {
      this.#unwritten = null;
      this.#write(marked, out);
    } else {
      this.#unwritten = marked;
    }
  }

  /**
   * Writes the last bar's rows if they wait (results recorded every `recordEveryUs`). Nothing changes the
   * statistics between two bars, so they are the rows that bar would have had. Returns whether it wrote.
   */
  recordLatest(out: EngineOutputs): boolean {
    if (this.#unwritten === null) return false;
    this.#write(this.#unwritten, out);
    this.#unwritten = null;
    return true;
  }

  #write(marked: MarkedBar, out: EngineOutputs): void {
    out.metrics.push({ ...this.key, ...marked, stats: [this.#stats.sinceStart(), ...this.#stats.windows()] });
  }

  snapshot(): StrategyRunnerState {
    return {
      strategyId: this.#instance.plugin.id, version: this.#instance.plugin.version, paramsKey: this.#instance.paramsKey,
      strategy: this.#strategy.snapshot(), book: this.#book.snapshot(), stats: this.#stats.snapshot(),
      order: this.#order, matched: this.#matched.slice(), lastEquity: this.#lastEquity, lastBarEndUs: this.#lastBarEndUs,
      lastFillUs: this.#lastFillUs, nextSeq: this.#nextSeq, ...(this.#unwritten === null ? {} : { unwritten: this.#unwritten }),
    };
  }

  /** Whether moving from what is held (after the matched orders) to `target` starts with a buy. */
  #buys(target: TargetPosition): boolean {
    if (target !== 'flat') return target === 'long';
    const held = this.#matched.length > 0 ? (this.#matched[this.#matched.length - 1] as MatchedOrder).target : this.#book.direction;
    return held === 'short';
  }

  #record(fill: Fill, timeUs: number, signalUs: number | null, out: EngineOutputs): void {
    if (timeUs > this.#lastFillUs) {
      this.#lastFillUs = timeUs;
      this.#nextSeq = 0;
    }
    out.fills.push({ ...this.key, timeUs, seq: this.#nextSeq++, signalUs, ...fill });
    if (fill.realizedPnl !== null) this.#stats.addClosedTrade(fill.realizedPnl);
  }
}
