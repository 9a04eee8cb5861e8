import { ConfigError, type ConfigProblem } from '../config/ConfigError.js';
import { loadProgramConfig, type ProgramConfig } from '../config/loadProgramConfig.js';
import { parseConfig } from '../config/parseConfig.js';
import type { ConfigLoader } from '../runtime/startProgram.js';
import type { StrategyInstance } from './core/EngineSettings.js';
import { resolveStrategies } from './resolveStrategies.js';

/** A program's configuration with the strategy instances its STRATEGY_MODULE and STRATEGY_PARAMS describe. */
export interface StrategyProgramConfig<P extends 'engine' | 'replay'> {
  readonly config: ProgramConfig<P>;
  readonly strategies: StrategyInstance[];
}

/**
 * The configuration of a program that runs strategies, with its strategy instances. Resolving the strategies
 * (loading their modules, checking their parameters) is part of validating the configuration: an unknown
 * strategy or parameters that can never signal are reported in the same {@link ConfigError} as every other bad
 * variable, even when other variables are bad too. `resolve`: `all` (the default) resolves both variables;
 * `modules` only loads STRATEGY_MODULE's strategies, with default parameters (a replay whose parameters come
 * from its command line); `none` checks the variables alone (a replay given `--strategy`) and returns no
 * instances.
 */
export async function loadStrategyProgramConfig<P extends 'engine' | 'replay'>(
  program: P, env: Readonly<Record<string, string | undefined>>, resolve: 'all' | 'modules' | 'none' = 'all',
): Promise<StrategyProgramConfig<P>> {
  const problems: ConfigProblem[] = [];
  let config: ProgramConfig<P> | undefined;
  try {
    config = loadProgramConfig(program, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  let strategies: StrategyInstance[] = [];
  if (resolve !== 'none') {
    try {
      // The strategy variables alone: their own format problems are already among those above.
      const { STRATEGY_MODULE, STRATEGY_PARAMS } = parseConfig(['STRATEGY_MODULE', 'STRATEGY_PARAMS'], env);
      strategies = await resolveStrategies(STRATEGY_MODULE, resolve === 'all' ? STRATEGY_PARAMS : '');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.filter((p) => !problems.some((q) => q.name === p.name && q.message === p.message)));
    }
  }
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return { config, strategies };
}

/** For `startProgram`: the program's configuration, checked with its strategies, which `run` receives. */
export function strategyConfigLoader<P extends 'engine' | 'replay'>(program: P): ConfigLoader<P, StrategyInstance[]> {
  return async (env) => {
    const { config, strategies } = await loadStrategyProgramConfig(program, env);
    return { config, checked: strategies };
  };
}
