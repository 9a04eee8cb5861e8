import Type, { type Static } from 'typebox';
import type { Bar } from '../Bar.js';
import { formatPrice } from '../formatPrice.js';
import { RSI } from '../indicators/RSI.js';
import type { JsonValue, Signal, Strategy, StrategyPlugin, TargetPosition } from '../Strategy.js';

const Params = Type.Object({
  period: Type.Integer({ minimum: 2, default: 14, description: 'RSI period, in bars.' }),
  oversold: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, default: 30, description: 'Buy below this RSI.' }),
  overbought: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, default: 70, description: 'Sell above this RSI.' }),
  allowShort: Type.Boolean({ default: false, description: 'Go short when overbought instead of flat.' }),
}, { additionalProperties: false });

/**
 * Mean reversion on Wilder's RSI: long when it falls below `oversold` (the move is stretched down), flat — or
 * short — when it rises above `overbought`. A bar without trades is not an observation (its close is the previous
 * one carried forward): it does not enter the RSI, whose averages a run of empty bars would otherwise decay
 * towards 0 until the next tick alone pins it at 0 or 100.
 */
class RsiReversion implements Strategy {
  readonly warmupBars: number;
  readonly #params: Static<typeof Params>;
  readonly #rsi: RSI;
  #position: TargetPosition;

  constructor(params: Static<typeof Params>, snapshot?: JsonValue) {
    const state = snapshot as { rsi: JsonValue; position: TargetPosition } | undefined;
    this.#params = params;
    this.#rsi = new RSI(params.period, state?.rsi);
    this.#position = state?.position ?? 'flat';
    this.warmupBars = this.#rsi.warmup;
  }

  onBar(bar: Bar): Signal | null {
    if (bar.volume === 0) return null;
    const rsi = this.#rsi.update(bar.close);
    if (rsi === null) return null;
    const { period, oversold, overbought, allowShort } = this.#params;
    let target: TargetPosition | null = null;
    let reason = '';
    if (rsi < oversold) {
      target = 'long';
      reason = `RSI(${period})=${formatPrice(rsi)} fell below ${oversold} (oversold)`;
    } else if (rsi > overbought) {
      target = allowShort ? 'short' : 'flat';
      reason = `RSI(${period})=${formatPrice(rsi)} rose above ${overbought} (overbought)`;
    }
    if (target === null || target === this.#position) return null;
    this.#position = target;
    return { target, reason };
  }

  snapshot(): JsonValue {
    return { rsi: this.#rsi.snapshot(), position: this.#position };
  }
}

export const rsiReversion: StrategyPlugin<typeof Params> = {
  id: 'rsi_reversion',
  version: 2,
  description: 'Long when RSI(period) falls below oversold; flat (or short) when it rises above overbought.',
  paramsSchema: Params,
  validate: (p) => (p.oversold < p.overbought ? [] : [`oversold (${p.oversold}) must be less than overbought (${p.overbought})`]),
  create: (params, _key, snapshot) => new RsiReversion(params, snapshot),
};
