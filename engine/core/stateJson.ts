/**
 * JSON for checkpointed state: like JSON, but NaN and ±Infinity survive the round trip (JSON would turn them
 * into null, and a restored engine would then compute differently from an uninterrupted one).
 */
export function encodeState(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v));
}

export function decodeState(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && '$number' in v ? Number((v as { $number: string }).$number) : v) as unknown;
}
