import type { Bar } from '../Bar.js';
import { formatPrice } from '../formatPrice.js';
import { EMA } from '../indicators/EMA.js';
import type { Indicator } from '../indicators/Indicator.js';
import { SMA } from '../indicators/SMA.js';
import type { JsonValue, Signal, Strategy, TargetPosition } from '../Strategy.js';

export interface MovingAverageCrossParams {
  readonly fast: number;
  readonly slow: number;
  readonly confirmBars: number;
  readonly allowShort: boolean;
}

type Relation = 'above' | 'below';

interface State {
  readonly fast: JsonValue;
  readonly slow: JsonValue;
  readonly relation: Relation | null;
  readonly heldBars: number;
  readonly position: TargetPosition;
}

/**
 * Goes long when the fast moving average crosses above the slow one and stays above for `confirmBars` bars;
 * goes flat (or short) on the opposite cross. Only a cross seen after warm-up counts: the averages' order at
 * the first stable bar is not a signal. Equal averages keep the previous order. A bar without trades is not an
 * observation (its close is the previous one carried forward): it enters neither average and decides nothing, so
 * averages that a run of empty bars would have pulled together cannot be crossed by the next tick.
 */
export class MovingAverageCross implements Strategy {
  readonly warmupBars: number;
  readonly #kind: 'SMA' | 'EMA';
  readonly #params: MovingAverageCrossParams;
  readonly #fast: Indicator<number>;
  readonly #slow: Indicator<number>;
  #relation: Relation | null;
  /** Bars the current order has held since the last cross; 0 once acted upon. */
  #heldBars: number;
  #position: TargetPosition;

  constructor(kind: 'SMA' | 'EMA', params: MovingAverageCrossParams, snapshot?: JsonValue) {
    this.#kind = kind;
    this.#params = params;
    const state = snapshot as State | undefined;
    const make = (period: number, s?: JsonValue) => (kind === 'SMA' ? new SMA(period, s) : new EMA(period, s));
    this.#fast = make(params.fast, state?.fast);
    this.#slow = make(params.slow, state?.slow);
    this.#relation = state?.relation ?? null;
    this.#heldBars = state?.heldBars ?? 0;
    this.#position = state?.position ?? 'flat';
    this.warmupBars = Math.max(this.#fast.warmup, this.#slow.warmup);
  }

  onBar(bar: Bar): Signal | null {
    if (bar.volume === 0) return null;
    const fast = this.#fast.update(bar.close);
    const slow = this.#slow.update(bar.close);
    if (fast === null || slow === null) return null;
    const relation: Relation | null = fast > slow ? 'above' : fast < slow ? 'below' : this.#relation;
    if (relation === null) return null;
    if (this.#relation === null) {
      this.#relation = relation;
      return null;
    }
    if (relation !== this.#relation) {
      this.#relation = relation;
      this.#heldBars = 1;
    } else if (this.#heldBars > 0) {
      this.#heldBars += 1;
    }
    if (this.#heldBars < this.#params.confirmBars || this.#heldBars === 0) return null;
    this.#heldBars = 0;
    const target: TargetPosition = relation === 'above' ? 'long' : this.#params.allowShort ? 'short' : 'flat';
    if (target === this.#position) return null;
    this.#position = target;
    const { fast: f, slow: s, confirmBars } = this.#params;
    const held = confirmBars > 1 ? ` and held for ${confirmBars} bars` : '';
    return {
      target,
      reason: `${this.#kind}(${f})=${formatPrice(fast)} crossed ${relation} ${this.#kind}(${s})=${formatPrice(slow)}${held}`,
    };
  }

  snapshot(): JsonValue {
    const state: State = {
      fast: this.#fast.snapshot(), slow: this.#slow.snapshot(), relation: this.#relation, heldBars: this.#heldBars, position: this.#position,
    };
    return state as unknown as JsonValue;
  }
}
