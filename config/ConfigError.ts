/** One variable that failed validation, with a message that is safe to print (secrets are not echoed). */
export interface ConfigProblem {
  readonly name: string;
  readonly message: string;
}

/** Start-up configuration is invalid: carries every bad variable at once, never just the first. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    // A variable may have several problems (two unknown strategies): the count is of variables.
    const variables = new Set(problems.map((p) => p.name)).size;
    super(
      `Invalid configuration (${variables} variable${variables === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.name}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
