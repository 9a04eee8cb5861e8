import type { EnvVarName } from './envVars.js';
import type { Config } from './parseConfig.js';

/**
 * A rule over several variables, checked in every program that reads all of them, once each is valid on its
 * own; a broken rule is reported on its first variable, with the others' values named in the message.
 */
export interface CrossVariableRule<K extends EnvVarName = EnvVarName> {
  readonly names: readonly [K, ...K[]];
  /** The problem, or null when the values agree. */
  readonly check: (values: Config<K>) => string | null;
}

const rule = <K extends EnvVarName>(r: CrossVariableRule<K>): CrossVariableRule => r;

export const CROSS_VARIABLE_RULES: readonly CrossVariableRule[] = [
  rule({
    names: ['ALERT_SHARPE_WINDOW', 'ENGINE_STAT_WINDOWS'],
    check: ({ ALERT_SHARPE_WINDOW: window, ENGINE_STAT_WINDOWS: windows }) => (windows.includes(window) ? null
      : `must be one of ENGINE_STAT_WINDOWS (${windows.length === 0 ? 'empty' : windows.join(', ')}): the engine computes no rolling Sharpe ratio over ${window} bars, so SharpeLow could never fire`),
  }),
];
