/**
 * Risk ratios from moments, with empyrical's edge cases: fewer than two returns → NaN; zero dispersion →
 * ±Infinity by the sign of the mean, NaN when the mean is zero too.
 * @see docs/conventions.md#statistics (the conventions) and empyrical's stats.py
 */

/** x / y, but ±Infinity or NaN (never a huge finite number) when y is exactly zero. */
function ratio(x: number, y: number): number {
  if (y !== 0) return x / y;
  return x === 0 ? Number.NaN : x > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** Annualised Sharpe: mean / sample std × √A, of excess returns. */
export function sharpeRatio(n: number, meanExcess: number, stdExcess: number, periodsPerYear: number): number {
  if (n < 2) return Number.NaN;
  return ratio(meanExcess, stdExcess) * Math.sqrt(periodsPerYear);
}

/** Annualised Sortino: mean × A / downside risk, where downside risk = √(mean of min(r − MAR, 0)²) × √A. */
export function sortinoRatio(n: number, meanExcess: number, downsideDeviation: number, periodsPerYear: number): number {
  if (n < 2) return Number.NaN;
  return ratio(meanExcess * periodsPerYear, downsideDeviation * Math.sqrt(periodsPerYear));
}

/** Annualised volatility: sample std × √A; NaN for fewer than two returns. */
export function annualVolatility(n: number, std: number, periodsPerYear: number): number {
  return n < 2 ? Number.NaN : std * Math.sqrt(periodsPerYear);
}
