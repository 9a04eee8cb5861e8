import { bollingerBreakout } from './bollingerBreakout/bollingerBreakout.js';
import { emaCross } from './movingAverageCross/emaCross.js';
import { smaCross } from './movingAverageCross/smaCross.js';
import { rsiReversion } from './rsiReversion/rsiReversion.js';
import type { StrategyPlugin } from './Strategy.js';

/** The built-in strategies, by id. An explicit map: adding a strategy means adding it here. */
export const BUILTIN_STRATEGIES: Readonly<Record<string, StrategyPlugin>> = {
  [smaCross.id]: smaCross,
  [emaCross.id]: emaCross,
  [rsiReversion.id]: rsiReversion,
  [bollingerBreakout.id]: bollingerBreakout,
};

export class UnknownStrategyError extends Error {
  constructor(id: string, available: readonly string[]) {
    super(`Unknown strategy "${id}". Available: ${available.join(', ')}`);
    this.name = 'UnknownStrategyError';
  }
}

/** The built-in plug-in with this id; throws {@link UnknownStrategyError} listing the available ones. */
export function builtinStrategy(id: string): StrategyPlugin {
  const plugin = BUILTIN_STRATEGIES[id];
  if (plugin === undefined) throw new UnknownStrategyError(id, Object.keys(BUILTIN_STRATEGIES));
  return plugin;
}
