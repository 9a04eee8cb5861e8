/**
 * The tolerance streaming statistics are held to against the batch formulas: 1e-9 relative, with an absolute
 * floor of 1e-12 for quantities that are themselves that close to 0 (where any two correct floating-point
 * computations may differ by a few units of the last place of the inputs). NaN equals NaN; infinities must
 * match exactly.
 */
export function closeTo(actual: number, expected: number): boolean {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) return Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected));
  return Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-12;
}
