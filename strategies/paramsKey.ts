/**
 * A short, readable, canonical name for a parameter set (`allowShort=false,confirmBars=1,fast=10,slow=30`):
 * keys sorted, so that the same parameters always give the same key. It identifies a strategy instance in
 * Prometheus labels, database rows and Kafka records.
 */
export function paramsKey(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params).sort().map((k) => {
    const value = params[k];
    return `${k}=${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`;
  }).join(',');
}
