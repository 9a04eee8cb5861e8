/**
 * JSON has no NaN or ±Infinity, and statistics have them (Sharpe of a flat series, say): on the wire they
 * are the strings "NaN", "Infinity" and "-Infinity"; every other number is a JSON number.
 */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function toWireNumber(x: number): WireNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export function fromWireNumber(x: WireNumber): number {
  return typeof x === 'number' ? x : Number(x);
}
