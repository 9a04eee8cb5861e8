import { ENV_VARS, REMOVED_ENV_VARS } from './envVars.js';

/** Prefixes that only this project uses: a variable with one of them that is not declared is a typo. */
const OWN_PREFIXES = ['COINBASE_', 'PRODUCER_', 'ENGINE_', 'KAFKA_TOPIC_', 'METRICS_', 'STRATEGY_', 'REPLAY_', 'ALERT_', 'BACKFILL_'];

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * Variables set with the project's prefixes that no program declares (removed ones excepted: they are reported
 * with their replacement), each with the closest declared name.
 */
export function unknownVariables(env: Readonly<Record<string, string | undefined>>): { name: string; suggestion: string | null }[] {
  const declared = Object.keys(ENV_VARS);
  return Object.keys(env)
    .filter((name) => OWN_PREFIXES.some((p) => name.startsWith(p)) && !Object.hasOwn(ENV_VARS, name) && !Object.hasOwn(REMOVED_ENV_VARS, name))
    .sort()
    .map((name) => {
      const [best] = declared.map((d) => ({ d, score: distance(name, d) })).sort((x, y) => x.score - y.score);
      return { name, suggestion: best !== undefined && best.score <= 4 ? best.d : null };
    });
}

/** Removed variables that are still set, each with what replaced it. */
export function removedVariables(env: Readonly<Record<string, string | undefined>>): { name: string; message: string }[] {
  return Object.entries(REMOVED_ENV_VARS)
    .filter(([name]) => env[name] !== undefined)
    .map(([name, message]) => ({ name, message }));
}
