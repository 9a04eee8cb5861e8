import type { JsonValue } from '../Strategy.js';

/**
 * An incremental indicator: one input at a time, bounded memory, and its whole state as JSON so that a
 * strategy can be checkpointed and restored exactly.
 */
export interface Indicator<T> {
  /** Inputs needed before `result` is defined. */
  readonly warmup: number;
  readonly isStable: boolean;
  /** The current value, or null until `warmup` inputs were seen. */
  readonly result: T | null;
  /** Takes the next input and returns the new `result`. */
  update(input: number): T | null;
  snapshot(): JsonValue;
}
