import { Ajv, type ValidateFunction } from 'ajv';
import type { Static, TObject } from 'typebox';
import type { StrategyPlugin } from './Strategy.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validators = new WeakMap<TObject, ValidateFunction>();

export class StrategyParamsError extends Error {
  readonly problems: readonly string[];

  constructor(strategyId: string, problems: readonly string[]) {
    super(`Invalid parameters for strategy ${strategyId}: ${problems.join('; ')}`);
    this.name = 'StrategyParamsError';
    this.problems = problems;
  }
}

/**
 * A plug-in's parameters from JSON-ish input: validated by its schema (every problem at once), defaults
 * filled in, then checked by its own `validate`. Throws {@link StrategyParamsError}.
 */
export function parseStrategyParams<S extends TObject>(plugin: StrategyPlugin<S>, input: unknown): Static<S> {
  let validate = validators.get(plugin.paramsSchema);
  if (validate === undefined) {
    validate = ajv.compile(plugin.paramsSchema);
    validators.set(plugin.paramsSchema, validate);
  }
  const params: unknown = structuredClone(input ?? {});
  if (!validate(params)) {
    const problems = (validate.errors ?? []).map((e) => {
      const field = e.instancePath.replace(/^\//, '');
      if (e.keyword === 'additionalProperties') return `unknown parameter ${String(e.params['additionalProperty'])}`;
      return `${field === '' ? 'parameters' : field} ${e.message ?? 'is invalid'}`;
    });
    throw new StrategyParamsError(plugin.id, problems);
  }
  const typed = params as Static<S>;
  const problems = plugin.validate?.(typed) ?? [];
  if (problems.length > 0) throw new StrategyParamsError(plugin.id, problems);
  return typed;
}
