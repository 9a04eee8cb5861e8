import type { JsonValue } from '../../strategies/Strategy.js';
import { annualVolatility, sharpeRatio, sortinoRatio } from './ratios.js';
import { RollingDrawdown } from './RollingDrawdown.js';
import { RunningDrawdown } from './RunningDrawdown.js';
import { ExactSums } from './ExactSums.js';
import { WindowMoments } from './WindowMoments.js';

/** One row of statistics, since the start (`windowBars` 0) or over the last `windowBars` bars. */
export interface StatisticsValues {
  readonly windowBars: number;
  /** Bar returns the figures are based on (< windowBars while a window fills). */
  readonly bars: number;
  readonly cumulativeReturn: number;
  readonly annualVolatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  /** A fraction ≤ 0 (−0.25: the equity fell 25 % below its peak). */
  readonly maxDrawdown: number;
  /** Closed round trips with a profit / closed round trips; NaN without closed trades. */
  readonly winRate: number;
  /** Closed round trips. */
  readonly tradeCount: number;
}

export interface StatisticsOptions {
  /** Bars per year: 525 600 for 1-minute bars of a 24/7 market. */
  readonly periodsPerYear: number;
  /** Rolling windows, in bars (e.g. 60 and 1440). */
  readonly windows: readonly number[];
  /** Annual risk-free rate, a fraction (0.04 = 4 %); Sharpe is computed on the returns in excess of it. Default 0. */
  readonly riskFreeRate?: number;
  /** Annual minimum acceptable return of Sortino (empyrical's `required_return`), a fraction. Default 0. */
  readonly sortinoMar?: number;
}

/**
 * An annual rate as a rate per bar, compounding: (1 + annual)^(1 / periodsPerYear) − 1, written as quantstats
 * de-annualises the risk-free rate (`to_excess_returns(returns, rf, nperiods)`, which `_prepare_returns` applies
 * for `sharpe` and `sortino`), so that the figures match it. The final `− 1` rounds by at most 1.1·10⁻¹⁶ per bar.
 * @see https://github.com/ranaroussi/quantstats/blob/main/quantstats/utils.py (`to_excess_returns`)
 */
export function perBarRate(annualRate: number, periodsPerYear: number): number {
  return (1 + annualRate) ** (1 / periodsPerYear) - 1;
}

/**
 * Per bar of a window: round trips closed, and of those the winners. Bytes, as a bar closes at most a
 * couple; the snapshot lists only the bars that closed any, as most bars close none.
 */
class TradeCounts {
  readonly #closed: Uint8Array;
  readonly #won: Uint8Array;
  #next = 0;
  closedSum = 0;
  wonSum = 0;

  /** `snapshot`: flat triples (age in bars, 0 = newest; closed; won). */
  constructor(size: number, snapshot: readonly number[] = []) {
    this.#closed = new Uint8Array(size);
    this.#won = new Uint8Array(size);
    for (let k = 0; k + 2 < snapshot.length; k += 3) {
      const i = size - 1 - (snapshot[k] as number);
      this.#closed[i] = snapshot[k + 1] as number;
      this.#won[i] = snapshot[k + 2] as number;
      this.closedSum += snapshot[k + 1] as number;
      this.wonSum += snapshot[k + 2] as number;
    }
  }

  push(closed: number, won: number): void {
    const i = this.#next;
    const c = Math.min(closed, 255);
    const w = Math.min(won, 255);
    this.closedSum += c - (this.#closed[i] as number);
    this.wonSum += w - (this.#won[i] as number);
    this.#closed[i] = c;
    this.#won[i] = w;
    this.#next = (i + 1) % this.#closed.length;
  }

  snapshot(): number[] {
    const size = this.#closed.length;
    const out: number[] = [];
    for (let age = 0; age < size; age++) {
      const i = (this.#next - 1 - age + 2 * size) % size;
      if (this.#closed[i] !== 0) out.push(age, this.#closed[i] as number, this.#won[i] as number);
    }
    return out;
  }
}

class Window {
  readonly size: number;
  readonly moments: WindowMoments;
  readonly drawdown: RollingDrawdown;
  readonly trades: TradeCounts;

  constructor(size: number, mar: number, snapshot?: JsonValue) {
    const s = snapshot as { m: JsonValue; d: JsonValue; t: number[] } | undefined;
    this.size = size;
    this.moments = new WindowMoments(size, mar, s?.m);
    this.drawdown = new RollingDrawdown(size, s?.d);
    this.trades = new TradeCounts(size, s?.t);
  }

  snapshot(): JsonValue {
    return { m: this.moments.snapshot(), d: this.drawdown.snapshot(), t: this.trades.snapshot() };
  }
}

/**
 * Streaming performance statistics of one strategy instance: O(1) per bar for everything but the rolling
 * drawdowns (O(log window)). Conventions follow empyrical (docs/conventions.md#statistics): sample standard
 * deviation; Sharpe = mean(r − rf) / std(r − rf) · √A (`sharpe_ratio(returns, risk_free)`); downside risk over
 * all bars; Sortino = mean(r − MAR) · A / downside risk (`sortino_ratio(returns, required_return)`); rf and MAR
 * are the annual options converted per bar by {@link perBarRate}; drawdown on ∏(1 + r) from a base of 1; NaN and
 * ±Infinity where empyrical gives them.
 */
export class PerformanceStatistics {
  readonly #periodsPerYear: number;
  /** Risk-free return per bar. */
  readonly #rf: number;
  /** Minimum acceptable return per bar; the downside sums are built with it. */
  readonly #mar: number;
  /** Moments of every return since the start. */
  readonly #moments: ExactSums;
  readonly #drawdown: RunningDrawdown;
  readonly #windows: Window[];
  #closed: number;
  #won: number;
  #pendingClosed = 0;
  #pendingWon = 0;

  /**
   * `snapshot` must come from statistics with the same MAR (per bar): the downside sums cannot be converted,
   * so another one is refused. Snapshots without `mar` (written before it was configurable) were built with 0.
   */
  constructor(options: StatisticsOptions, snapshot?: JsonValue) {
    this.#periodsPerYear = options.periodsPerYear;
    this.#rf = perBarRate(options.riskFreeRate ?? 0, options.periodsPerYear);
    this.#mar = perBarRate(options.sortinoMar ?? 0, options.periodsPerYear);
    const s = snapshot as { m: JsonValue; d: JsonValue; w: JsonValue[] | Record<string, JsonValue>; closed: number; won: number; pc: number; pw: number; mar?: number } | undefined;
    if (s !== undefined && (s.mar ?? 0) !== this.#mar) {
      throw new Error(`statistics snapshot built with a per-bar MAR of ${s.mar ?? 0} cannot continue with ${this.#mar}`);
    }
    this.#moments = new ExactSums(this.#mar, s?.m as string[] | undefined);
    this.#drawdown = new RunningDrawdown(s?.d);
    // Windows are matched by their size; a window the snapshot does not have starts empty. (Snapshots
    // written before sizes were recorded list the windows in the order of the same settings.)
    const saved = (size: number, i: number): JsonValue | undefined =>
      (s === undefined ? undefined : Array.isArray(s.w) ? s.w[i] : s.w[String(size)]);
    this.#windows = options.windows.map((size, i) => new Window(size, this.#mar, saved(size, i)));
    this.#closed = s?.closed ?? 0;
    this.#won = s?.won ?? 0;
    this.#pendingClosed = s?.pc ?? 0;
    this.#pendingWon = s?.pw ?? 0;
  }

  /** A round trip closed during the current bar; it counts from that bar on. */
  addClosedTrade(profit: number): void {
    this.#pendingClosed += 1;
    if (profit > 0) this.#pendingWon += 1;
  }

  /** The bar's return closes the bar. */
  addBarReturn(r: number): void {
    this.#moments.add(r);
    this.#drawdown.add(r);
    this.#closed += this.#pendingClosed;
    this.#won += this.#pendingWon;
    for (const w of this.#windows) {
      w.moments.add(r);
      w.drawdown.add(r);
      w.trades.push(this.#pendingClosed, this.#pendingWon);
    }
    this.#pendingClosed = 0;
    this.#pendingWon = 0;
  }

  sinceStart(): StatisticsValues {
    const A = this.#periodsPerYear;
    const m = this.#moments;
    const n = m.count;
    const std = m.std();
    return {
      windowBars: 0,
      bars: n,
      cumulativeReturn: n === 0 ? Number.NaN : this.#drawdown.cumulativeReturn,
      annualVolatility: annualVolatility(n, std, A),
      sharpe: sharpeRatio(n, m.meanExcess(this.#rf), std, A),
      sortino: sortinoRatio(n, m.meanExcess(this.#mar), m.downsideDeviation(), A),
      maxDrawdown: n === 0 ? Number.NaN : this.#drawdown.maxDrawdown,
      winRate: this.#closed === 0 ? Number.NaN : this.#won / this.#closed,
      tradeCount: this.#closed,
    };
  }

  windows(): StatisticsValues[] {
    const A = this.#periodsPerYear;
    return this.#windows.map((w) => {
      const n = w.moments.count;
      // Each moment is an exact-sum conversion: computed once per bar.
      const std = w.moments.std;
      return {
        windowBars: w.moments.size,
        bars: n,
        cumulativeReturn: w.drawdown.cumulativeReturn,
        annualVolatility: annualVolatility(n, std, A),
        sharpe: sharpeRatio(n, w.moments.meanExcess(this.#rf), std, A),
        sortino: sortinoRatio(n, w.moments.meanExcess(this.#mar), w.moments.downsideDeviation, A),
        maxDrawdown: w.drawdown.maxDrawdown,
        winRate: w.trades.closedSum === 0 ? Number.NaN : w.trades.wonSum / w.trades.closedSum,
        tradeCount: w.trades.closedSum,
      };
    });
  }

  snapshot(): JsonValue {
    return {
      m: this.#moments.snapshot(), d: this.#drawdown.snapshot(), w: Object.fromEntries(this.#windows.map((w) => [String(w.size), w.snapshot()])),
      closed: this.#closed, won: this.#won, pc: this.#pendingClosed, pw: this.#pendingWon,
      // Only when not 0, so that the snapshots of a default configuration keep their earlier form.
      ...(this.#mar === 0 ? {} : { mar: this.#mar }),
    };
  }
}
