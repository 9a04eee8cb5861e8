import type { Static, TObject } from 'typebox';
import type { Bar } from './Bar.js';

/** A value that survives JSON.stringify/JSON.parse unchanged: what strategy state snapshots are made of. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The position a strategy wants to hold from the next bar on. */
export type TargetPosition = 'long' | 'flat' | 'short';

/** A strategy's decision: the position it wants, and why, in words a trader reads on a Grafana annotation. */
export interface Signal {
  readonly target: TargetPosition;
  readonly reason: string;
}

/** What a strategy instance is for: one product at one bar interval. */
export interface StrategyKey {
  readonly productId: string;
  readonly intervalUs: number;
}

/**
 * One running strategy: synchronous, deterministic, no I/O, no clock. It sees bars in event-time order and
 * returns a signal only when it wants a different position.
 */
export interface Strategy {
  /** Bars it must see, the signalling bar included, before it can signal (like an indicator's warm-up). */
  readonly warmupBars: number;
  onBar(bar: Bar): Signal | null;
  /**
   * Its whole state as JSON, so that the engine can checkpoint it and `create(params, key, snapshot)` can
   * continue exactly where it stopped (a restored instance must behave bit for bit like the original).
   */
  snapshot(): JsonValue;
}

/**
 * A strategy plug-in: registered by `id` (snake_case, stable: it is a label, a column and a Kafka field),
 * with a `version` to bump when its behaviour changes, a TypeBox/JSON schema for its parameters (with
 * defaults), and a factory.
 */
export interface StrategyPlugin<S extends TObject = TObject> {
  readonly id: string;
  readonly version: number;
  readonly description: string;
  readonly paramsSchema: S;
  /** Problems the schema cannot express (e.g. `fast must be less than slow`); empty when the params are fine. */
  validate?(params: Static<S>): readonly string[];
  create(params: Static<S>, key: StrategyKey, snapshot?: JsonValue): Strategy;
}
