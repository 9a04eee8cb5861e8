import type { StrategyPlugin } from '../Strategy.js';
import { CrossParams, validateCross } from './crossParams.js';
import { MovingAverageCross } from './MovingAverageCross.js';

/** An exponential-moving-average crossover: reacts faster than `sma_cross` to recent prices. */
export const emaCross: StrategyPlugin<typeof CrossParams> = {
  id: 'ema_cross',
  version: 2,
  description: 'Long when EMA(fast) crosses above EMA(slow) for confirmBars bars; flat (or short) on the opposite cross.',
  paramsSchema: CrossParams,
  validate: validateCross,
  create: (params, _key, snapshot) => new MovingAverageCross('EMA', params, snapshot),
};
