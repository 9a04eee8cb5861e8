const UNITS_US = { s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 } as const;

/** `90s`, `1m`, `15m`, `4h`, `1d` → µs; null for anything else. */
export function parseDurationUs(text: string): number | null {
  const match = /^([1-9][0-9]*)(s|m|h|d)$/.exec(text);
  if (match === null) return null;
  return Number(match[1]) * UNITS_US[match[2] as keyof typeof UNITS_US];
}

/** The shortest name of a whole number of seconds: `60` → `1m`, `5400` → `90m`. */
export function formatDurationSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
