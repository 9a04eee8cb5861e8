const RFC3339 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Microseconds since the Unix epoch of an RFC 3339 timestamp. Coinbase sends up to nanosecond precision
 * (`2025-12-31T06:00:12.516946132Z`), which `Date.parse` would cut to milliseconds; digits past the
 * microsecond are truncated. Returns null for anything that is not RFC 3339.
 */
export function parseTimestampUs(text: string): number | null {
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const [, date, time, fraction = '', zone] = match;
  const secondsMs = Date.parse(`${date}T${time}${zone}`);
  if (Number.isNaN(secondsMs)) return null;
  return secondsMs * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}
