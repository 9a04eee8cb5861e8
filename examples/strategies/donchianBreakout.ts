import Type, { type Static } from 'typebox';
import type { Bar } from '../../strategies/Bar.js';
import type { JsonValue, Signal, Strategy, StrategyPlugin } from '../../strategies/Strategy.js';

const Params = Type.Object({
  period: Type.Integer({ minimum: 2, default: 20, description: 'Bars in the channel, the current bar excluded.' }),
}, { additionalProperties: false });

/** A type alias, not an interface, so that it is assignable to JsonValue. */
type State = {
  readonly highs: number[];
  readonly lows: number[];
  readonly long: boolean;
};

/**
 * An example of a strategy kept outside the built-ins (`STRATEGY_MODULE=./dist/examples/strategies/donchianBreakout.js`):
 * long when a bar closes above the highest high of the previous `period` bars, flat when it closes below
 * their lowest low. Like the built-ins, it skips bars without trades: their prices are the previous close carried
 * forward, which would collapse the channel onto one price and make the next tick a breakout.
 */
class DonchianBreakout implements Strategy {
  readonly warmupBars: number;
  readonly #period: number;
  #state: State;

  constructor(params: Static<typeof Params>, snapshot?: JsonValue) {
    this.#period = params.period;
    this.warmupBars = params.period + 1;
    this.#state = (snapshot as State | undefined) ?? { highs: [], lows: [], long: false };
  }

  onBar(bar: Bar): Signal | null {
    if (bar.volume === 0) return null;
    const { highs, lows, long } = this.#state;
    let signal: Signal | null = null;
    if (highs.length === this.#period) {
      const upper = Math.max(...highs);
      const lower = Math.min(...lows);
      if (!long && bar.close > upper) signal = { target: 'long', reason: `close ${bar.close} broke above the ${this.#period}-bar high ${upper}` };
      if (long && bar.close < lower) signal = { target: 'flat', reason: `close ${bar.close} broke below the ${this.#period}-bar low ${lower}` };
    }
    this.#state = {
      highs: [...highs, bar.high].slice(-this.#period),
      lows: [...lows, bar.low].slice(-this.#period),
      long: signal === null ? long : signal.target === 'long',
    };
    return signal;
  }

  snapshot(): JsonValue {
    return this.#state;
  }
}

export const plugin: StrategyPlugin<typeof Params> = {
  id: 'donchian_breakout',
  version: 2,
  description: 'Long on a close above the N-bar high; flat on a close below the N-bar low.',
  paramsSchema: Params,
  create: (params, _key, snapshot) => new DonchianBreakout(params, snapshot),
};
