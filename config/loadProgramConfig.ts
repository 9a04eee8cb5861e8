import { ConfigError, type ConfigProblem } from './ConfigError.js';
import { CROSS_VARIABLE_RULES } from './crossVariableRules.js';
import { ENV_VARS, type EnvVarSpec } from './envVars.js';
import { parseConfig, type Config } from './parseConfig.js';
import { PROGRAM_ENV, type ProgramName } from './programs.js';
import { removedVariables, unknownVariables } from './unknownVariables.js';

export type ProgramConfig<P extends ProgramName> = Config<(typeof PROGRAM_ENV)[P][number]>;

/**
 * A program's configuration from `env`, or, when any variable is bad (invalid, missing, at odds with another
 * it reads (see {@link CROSS_VARIABLE_RULES}), an undeclared name with the project's prefix, or a removed one
 * still set), a {@link ConfigError} listing every one of them.
 */
export function loadProgramConfig<P extends ProgramName>(
  program: P,
  env: Readonly<Record<string, string | undefined>>,
): ProgramConfig<P> {
  const problems: ConfigProblem[] = [];
  let config: ProgramConfig<P> | undefined;
  try {
    config = parseConfig(PROGRAM_ENV[program], env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const reads: readonly string[] = PROGRAM_ENV[program];
  for (const rule of CROSS_VARIABLE_RULES.filter((r) => r.names.every((n) => reads.includes(n)))) {
    let values;
    try {
      values = parseConfig(rule.names, env);
    } catch {
      continue; // a variable of the rule is bad on its own, and reported as such
    }
    const problem = rule.check(values);
    if (problem !== null) problems.push({ name: rule.names[0], message: `${problem} (got ${JSON.stringify(env[rule.names[0]] ?? (ENV_VARS[rule.names[0]] as EnvVarSpec).default)})` });
  }
  for (const { name, suggestion } of unknownVariables(env)) {
    problems.push({ name, message: `is not a variable of this project${suggestion === null ? '' : ` (did you mean ${suggestion}?)`}` });
  }
  problems.push(...removedVariables(env));
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return config;
}
