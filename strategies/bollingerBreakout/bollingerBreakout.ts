import Type, { type Static } from 'typebox';
import type { Bar } from '../Bar.js';
import { formatPrice } from '../formatPrice.js';
import { BollingerBands } from '../indicators/BollingerBands.js';
import type { JsonValue, Signal, Strategy, StrategyPlugin, TargetPosition } from '../Strategy.js';

const Params = Type.Object({
  period: Type.Integer({ minimum: 2, default: 20, description: 'Bands period, in bars with trades.' }),
  k: Type.Number({ exclusiveMinimum: 0, default: 2, description: 'Band width in standard deviations; less than √(period − 1).' }),
  minDeviationBps: Type.Number({
    minimum: 0, maximum: 100, default: 1,
    description: 'Floor of the standard deviation the bands use, in basis points of the middle band, so that a one-tick move after a flat stretch is not a breakout.',
  }),
  allowShort: Type.Boolean({ default: false, description: 'Also go short when the close breaks below the lower band.' }),
}, { additionalProperties: false });

/** x < √m, exactly (x > 0 a double, m ≥ 0 an integer): x = p / 2^q with integers p and q, so x² < m ⟺ p² < m · 4^q. */
function isBelowSquareRoot(x: number, m: number): boolean {
  let scaled = x;
  let q = 0n;
  // Doubling is exact, and a double with a fraction is below 2⁵³: at most 1 074 steps.
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    q += 1n;
  }
  const p = BigInt(scaled);
  return p * p < BigInt(m) << (2n * q);
}

/**
 * Parameters that can never signal. The close is one of the `period` closes the bands are computed from, and
 * the newest of n values is at most √(n − 1) population standard deviations from their mean (reached when the
 * other n − 1 are equal: x − mean = d(n − 1)/n, σ = |d|√(n − 1)/n). So with k ≥ √(period − 1) the close can
 * never be above the upper band nor below the lower one (only rounding could make it look so), and the strategy
 * never leaves flat. The σ floor only widens the bands; capped at 100 bps it never closes the last gap.
 */
function validate(params: Static<typeof Params>): string[] {
  const { period, k } = params;
  if (isBelowSquareRoot(k, period - 1)) return [];
  return [`k (${k}) must be less than √(period − 1) = ${Math.sqrt(period - 1).toPrecision(6)} for period ${period}: the close is one of the `
    + `${period} closes the bands are computed from, so it is at most √(period − 1) standard deviations from their mean and could never break out`];
}

/**
 * Volatility breakout: long when the close breaks above the upper Bollinger band, back to flat when it falls
 * below the middle band; with `allowShort`, the mirror image below the lower band.
 *
 * Two rules keep a tick from being a breakout where the bands have collapsed (docs/conventions.md#indicators-and-strategies):
 * a bar without trades is not an observation (its close is the previous one carried forward, a price nobody
 * traded: it neither enters the bands nor decides anything), and the bands' deviation is at least
 * `minDeviationBps` of the middle band.
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
    if (bar.volume === 0) return null;
    const raw = this.#bands.update(bar.close);
    if (raw === null) return null;
    const { period, k, minDeviationBps, allowShort } = this.#params;
    const deviation = Math.max(raw.deviation, (Math.abs(raw.middle) * minDeviationBps) / 10_000);
    const bands = deviation === raw.deviation ? raw : { middle: raw.middle, upper: raw.middle + k * deviation, lower: raw.middle - k * deviation };
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
  version: 2,
  description: 'Long when the close breaks above the upper Bollinger band, flat below the middle band (short below the lower band with allowShort).',
  paramsSchema: Params,
  validate,
  create: (params, _key, snapshot) => new BollingerBreakout(params, snapshot),
};
