import Type, { type Static } from 'typebox';
import type { Bar } from '../Bar.js';
import { formatPrice } from '../formatPrice.js';
import { BollingerBands } from '../indicators/BollingerBands.js';
import type { JsonValue, Signal, Strategy, StrategyPlugin, TargetPosition } from '../Strategy.js';

const Params = Type.Object({
  period: Type.Integer({ minimum: 2, default: 20, description: 'Bands period, in bars.' }),
  k: Type.Number({ exclusiveMinimum: 0, default: 2, description: 'Band width in standard deviations.' }),
  allowShort: Type.Boolean({ default: false, description: 'Also go short when the close breaks below the lower band.' }),
}, { additionalProperties: false });

/**
 * Volatility breakout: long when the close breaks above the upper Bollinger band, back to flat when it falls
 * below the middle band; with `allowShort`, the mirror image below the lower band.
 */
class BollingerBreakout implements Strategy {
  readonly warmupBars: number;
  readonly #params: Static<typeof Params>;
  readonly #bands: BollingerBands;
  #position: TargetPosition;

  constructor(params: Static<typeof Params>, snapshot?: JsonValue) {
    const state = snapshot as { bands: JsonValue; position: TargetPosition } | undefined;
    this.#params = params;
    this.#bands = new BollingerBands(params.period, params.k, state?.bands);
    this.#position = state?.position ?? 'flat';
    this.warmupBars = this.#bands.warmup;
  }

  onBar(bar: Bar): Signal | null {
    const bands = this.#bands.update(bar.close);
    if (bands === null) return null;
    const { period, k, allowShort } = this.#params;
    const close = formatPrice(bar.close);
    const name = `BB(${period}, ${k})`;
    let target: TargetPosition = this.#position;
    let reason = '';
    if (bar.close > bands.upper && this.#position !== 'long') {
      target = 'long';
      reason = `close ${close} broke above the upper ${name} band ${formatPrice(bands.upper)}`;
    } else if (allowShort && bar.close < bands.lower && this.#position !== 'short') {
      target = 'short';
      reason = `close ${close} broke below the lower ${name} band ${formatPrice(bands.lower)}`;
    } else if (this.#position === 'long' && bar.close < bands.middle) {
      target = 'flat';
      reason = `close ${close} fell back below the middle ${name} band ${formatPrice(bands.middle)}`;
    } else if (this.#position === 'short' && bar.close > bands.middle) {
      target = 'flat';
      reason = `close ${close} rose back above the middle ${name} band ${formatPrice(bands.middle)}`;
    }
    if (target === this.#position) return null;
    this.#position = target;
    return { target, reason };
  }

  snapshot(): JsonValue {
    return { bands: this.#bands.snapshot(), position: this.#position };
  }
}

export const bollingerBreakout: StrategyPlugin<typeof Params> = {
  id: 'bollinger_breakout',
  version: 1,
  description: 'Long when the close breaks above the upper Bollinger band, flat below the middle band (short below the lower band with allowShort).',
  paramsSchema: Params,
  create: (params, _key, snapshot) => new BollingerBreakout(params, snapshot),
};
