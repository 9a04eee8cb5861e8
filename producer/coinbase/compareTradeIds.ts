/** Orders decimal trade-id strings numerically without converting them (ids may exceed 2^53). */
export function compareTradeIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
