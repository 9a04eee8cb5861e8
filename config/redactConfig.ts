import { ENV_VARS, type EnvVarName, type EnvVarSpec } from './envVars.js';
import { redactUrlPassword } from '../logging/redactSecrets.js';

/** A copy of a parsed configuration that is safe to log: secret URLs lose their password, other secrets vanish. */
export function redactConfig<C extends Partial<Record<EnvVarName, unknown>>>(config: C): C {
  const copy: Record<string, unknown> = { ...config };
  for (const [name, value] of Object.entries(copy)) {
    const spec: EnvVarSpec = ENV_VARS[name as EnvVarName];
    if (spec.secret !== true) continue;
    copy[name] = typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrlPassword(value) : '****';
  }
  return copy as C;
}
