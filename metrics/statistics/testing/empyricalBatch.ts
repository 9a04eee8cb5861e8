/**
 * Plain batch implementations of the statistics, written from empyrical's formulas (stats.py) as directly
 * as possible, to check the streaming ones against. Not used by the engine.
 * @see https://github.com/quantopian/empyrical/blob/master/empyrical/stats.py
 */
export interface BatchStatistics {
  readonly cumulativeReturn: number;
  readonly annualVolatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Sample standard deviation; exactly 0 when every value is equal (pandas' rule). */
function sampleStd(xs: readonly number[]): number {
  if (xs.every((x) => x === xs[0])) return 0;
  const mean = sum(xs) / xs.length;
  return Math.sqrt(sum(xs.map((x) => (x - mean) ** 2)) / (xs.length - 1));
}

function mean(xs: readonly number[]): number {
  return xs.every((x) => x === xs[0]) ? (xs[0] as number) : sum(xs) / xs.length;
}

/**
 * An annual rate per period, written as quantstats writes it: `rf = np.power(1 + rf, 1. / nperiods) - 1.`
 * (quantstats/utils.py, `to_excess_returns`, which `_prepare_returns(returns, rf, nperiods)` applies before
 * `sharpe` and `sortino`).
 * @see https://github.com/ranaroussi/quantstats/blob/main/quantstats/utils.py
 */
export function deannualize(annualRate: number, periodsPerYear: number): number {
  return (1 + annualRate) ** (1 / periodsPerYear) - 1;
}

/**
 * `riskFree` and `mar` are per period, as empyrical takes them: `sharpe_ratio(returns, risk_free)` and
 * `sortino_ratio(returns, required_return)` subtract them from every return (`_adjust_returns`).
 */
export function batchStatistics(returns: readonly number[], periodsPerYear: number, riskFree = 0, mar = 0): BatchStatistics {
  const n = returns.length;
  if (n === 0) return { cumulativeReturn: NaN, annualVolatility: NaN, sharpe: NaN, sortino: NaN, maxDrawdown: NaN };
  // cum_returns_final: prod(1 + r) - 1
  const cumulativeReturn = returns.reduce((p, r) => p * (1 + r), 1) - 1;
  // max_drawdown: on the cumulative wealth with a starting base of 1
  let wealth = 1;
  let peak = 1;
  let maxDrawdown = 0;
  for (const r of returns) {
    wealth *= 1 + r;
    peak = Math.max(peak, wealth);
    maxDrawdown = Math.min(maxDrawdown, wealth / peak - 1);
  }
  if (n < 2) return { cumulativeReturn, annualVolatility: NaN, sharpe: NaN, sortino: NaN, maxDrawdown };
  // annual_volatility: std(r, ddof=1) * sqrt(A)
  const annualVolatility = sampleStd(returns) * Math.sqrt(periodsPerYear);
  // sharpe_ratio: mean(r - rf) / std(r - rf, ddof=1) * sqrt(A)
  const excess = returns.map((r) => r - riskFree);
  const sharpe = (mean(excess) / sampleStd(excess)) * Math.sqrt(periodsPerYear);
  // downside_risk: sqrt(mean(min(r - MAR, 0)^2)) * sqrt(A); sortino_ratio: mean(r - MAR) * A / downside_risk
  const below = returns.map((r) => Math.min(r - mar, 0));
  const downsideRisk = Math.sqrt(sum(below.map((x) => x * x)) / n) * Math.sqrt(periodsPerYear);
  const sortino = (mean(returns.map((r) => r - mar)) * periodsPerYear) / downsideRisk;
  return { cumulativeReturn, annualVolatility, sharpe, sortino, maxDrawdown };
}
