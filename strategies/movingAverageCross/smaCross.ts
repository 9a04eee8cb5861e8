import type { StrategyPlugin } from '../Strategy.js';
import { CrossParams, validateCross } from './crossParams.js';
import { MovingAverageCross } from './MovingAverageCross.js';

/** The default strategy: a simple-moving-average crossover with optional confirmation bars. */
export const smaCross: StrategyPlugin<typeof CrossParams> = {
  id: 'sma_cross',
  version: 2,
  description: 'Long when SMA(fast) crosses above SMA(slow) for confirmBars bars; flat (or short) on the opposite cross.',
  paramsSchema: CrossParams,
  validate: validateCross,
  create: (params, _key, snapshot) => new MovingAverageCross('SMA', params, snapshot),
};
