/** A price for a signal's reason: six significant digits, no exponent for ordinary prices. */
export function formatPrice(value: number): string {
  return Number(value.toPrecision(6)).toString();
}
