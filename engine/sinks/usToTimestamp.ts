/** µs since the epoch → an ISO 8601 timestamp with microseconds, which PostgreSQL's timestamptz keeps exactly. */
export function usToTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}
