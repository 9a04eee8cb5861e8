/** One variable that failed validation, with a message that is safe to print (secrets are not echoed). */
export interface ConfigProblem {
  readonly name: string;
  readonly message: string;
}

/** Start-up configuration is invalid: carries every bad variable at once, never just the first. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} variable${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.name}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
