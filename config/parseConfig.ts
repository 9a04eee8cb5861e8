import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static } from 'typebox';
import { ConfigError, type ConfigProblem } from './ConfigError.js';
import { redactUrlPassword } from '../logging/redactSecrets.js';
import { ENV_VARS, type EnvVarName, type EnvVarSpec } from './envVars.js';

/** The parsed, typed value of each named variable. */
export type Config<K extends EnvVarName> = { readonly [P in K]: Static<(typeof ENV_VARS)[P]['schema']> };

// verbose: errors carry their schema, whose description says what a valid value looks like.
const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: true, verbose: true });
const validators = new Map<EnvVarName, ValidateFunction<{ value: unknown }>>();

/** ajv coerces in place only below a parent object, so each value is validated as `{ value }`. */
function validatorFor(name: EnvVarName): ValidateFunction<{ value: unknown }> {
  let validate = validators.get(name);
  if (validate === undefined) {
    validate = ajv.compile<{ value: unknown }>({
      type: 'object',
      properties: { value: ENV_VARS[name].schema },
      required: ['value'],
    });
    validators.set(name, validate);
  }
  return validate;
}

function specOf(name: EnvVarName): EnvVarSpec {
  return ENV_VARS[name];
}

/** Lists are written comma-separated in the environment; blanks around items are ignored. */
function toRawValue(spec: EnvVarSpec, text: string): unknown {
  if ((spec.schema as { type?: unknown }).type !== 'array') return text;
  return text.trim() === '' ? [] : text.split(',').map((item) => item.trim());
}

function describe(error: ErrorObject, value: unknown): string {
  const index = /^\/value\/(\d+)/.exec(error.instancePath)?.[1];
  const item = index === undefined ? '' : `item ${Number(index) + 1} ${JSON.stringify((value as unknown[])[Number(index)])} `;
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
    return `${item}must be one of ${allowed}`;
  }
  if (error.keyword === 'pattern') {
    const expected = (error.parentSchema as { description?: string } | undefined)?.description;
    return `${item}has an invalid format${expected === undefined ? '' : `: expected ${expected}`}`;
  }
  return `${item}${error.message ?? 'is invalid'}`;
}

/**
 * Validates the named variables of `env` against their declared schemas and returns them typed, with
 * defaults applied. Every invalid or missing variable is reported at once in one {@link ConfigError};
 * values of secret variables never appear in the message.
 */
export function parseConfig<K extends EnvVarName>(
  names: readonly K[],
  env: Readonly<Record<string, string | undefined>>,
): Config<K> {
  const problems: ConfigProblem[] = [];
  const config: Record<string, unknown> = {};
  for (const name of names) {
    const spec = specOf(name);
    const text = env[name] ?? spec.default;
    if (text === undefined) {
      problems.push({ name, message: 'is required but not set' });
      continue;
    }
    const raw = toRawValue(spec, text);
    const holder = { value: raw };
    const validate = validatorFor(name);
    if (validate(holder)) {
      const problem = spec.refine?.(holder.value as never) ?? null;
      if (problem === null) {
        config[name] = holder.value;
        continue;
      }
      problems.push({ name, message: `${problem} (got ${JSON.stringify(redactUrlPassword(text))})` });
      continue;
    }
    const reasons = [...new Set((validate.errors ?? []).map((e) => describe(e, raw)))].join('; ');
    const shown = spec.secret === true ? '' : ` (got ${JSON.stringify(redactUrlPassword(text))})`;
    problems.push({ name, message: `${reasons}${shown}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Config<K>;
}
