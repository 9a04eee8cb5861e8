import type { ErrorObject } from 'ajv';

/** One line naming the first schema violation, e.g. `events/0/trades/1/price must match pattern …`. */
export function validationDetail(errors: readonly ErrorObject[] | null | undefined): string {
  const error = errors?.[0];
  if (error === undefined) return 'invalid';
  const path = error.instancePath.replace(/^\//, '') || '(frame)';
  const missing: unknown = error.params['missingProperty'];
  if (typeof missing === 'string') return `${path} must have property ${missing}`;
  return `${path} ${error.message ?? 'is invalid'}`;
}
