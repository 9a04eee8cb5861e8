import { ConfigError } from '../config/ConfigError.js';
import type { ProgramConfig } from '../config/loadProgramConfig.js';
import { formatDurationSeconds } from '../config/parseDuration.js';
import type { EngineSettings, StrategyInstance } from '../engine/core/EngineSettings.js';
import { engineSettings } from '../engine/engineSettings.js';
import { loadStrategyProgramConfig, type StrategyProgramConfig } from '../engine/loadStrategyProgramConfig.js';
import { resolveStrategies } from '../engine/resolveStrategies.js';
import { ReplayUsageError, type ReplayRunCommand } from './parseReplayArgs.js';

/** What a replay command runs: its strategy instances (one per valid sweep combination), those skipped, and the engine's settings. */
export interface ReplayPlan {
  readonly instances: readonly StrategyInstance[];
  /** Sweep combinations refused for invalid parameters, with every problem of each. */
  readonly skipped: readonly { combination: unknown; problems: string[] }[];
  readonly settings: EngineSettings;
}

/**
 * The replay program's configuration from the environment. Strategies from the environment are configuration
 * (resolved now, their problems reported with the others): all of them without `--strategy`, `--params` or
 * `--grid`; only the modules when the command line gives parameters; none when it names strategies.
 * Throws {@link ConfigError} naming every bad variable.
 */
export function loadReplayConfig(command: ReplayRunCommand | null, env: Readonly<Record<string, string | undefined>>): Promise<StrategyProgramConfig<'replay'>> {
  const fromEnv = command === null || command.strategy !== null ? 'none' : command.params === null && command.grid === null ? 'all' : 'modules';
  return loadStrategyProgramConfig('replay', env, fromEnv);
}

async function instancesFor(command: ReplayRunCommand, config: ProgramConfig<'replay'>, configured: readonly StrategyInstance[], runId: string):
  Promise<Pick<ReplayPlan, 'instances' | 'skipped'>> {
  const modules = command.strategy ?? config.STRATEGY_MODULE;
  const params = command.params ?? (command.strategy === null ? config.STRATEGY_PARAMS : '');
  if (command.grid === null && command.strategy === null && command.params === null) return { instances: [...configured], skipped: [] };
  if (command.grid === null) return { instances: await resolveStrategies(modules, params), skipped: [] };
  if (modules.length !== 1) throw new ReplayUsageError([`--grid sweeps one strategy; STRATEGY_MODULE names ${modules.length}: give --strategy`]);
  const base = params.trim() === '' ? {} : JSON.parse(params) as Record<string, unknown>;
  const instances: StrategyInstance[] = [];
  const skipped: { combination: unknown; problems: string[] }[] = [];
  for (const [i, combination] of command.grid.entries()) {
    try {
      const [instance] = await resolveStrategies(modules, JSON.stringify({ ...base, ...combination }));
      if (instance !== undefined) instances.push({ ...instance, runId: `${runId}.${i + 1}` });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      skipped.push({ combination, problems: error.problems.map((p) => p.message) });
    }
  }
  if (instances.length === 0) throw new ReplayUsageError(['--grid: no valid combination', ...skipped.flatMap((s) => s.problems)]);
  return { instances, skipped };
}

/**
 * The strategy instances and engine settings of run `runId` (a sweep's combinations are runs `runId.1`,
 * `runId.2`, …). The same command, configuration and run id always give the same plan: each replay worker
 * makes its own (strategies are code, which threads do not share). Throws {@link ReplayUsageError} (a grid
 * without one strategy or without a valid combination, `--record-every` not a multiple of every interval) or
 * {@link ConfigError} (a strategy module or parameters of the command line).
 */
export async function planReplay(command: ReplayRunCommand, config: ProgramConfig<'replay'>, configured: readonly StrategyInstance[], runId: string): Promise<ReplayPlan> {
  const { instances, skipped } = await instancesFor(command, config, configured, runId);
  const products = command.products === null ? null : new Set(command.products);
  // History is in event-time order per product, not across a partition's products: event time per product.
  const settings = {
    ...engineSettings(config, instances, runId, products), ...(command.topic === 'history' ? { eventTimePerProduct: true } : {}),
    ...(command.recordEveryUs === null ? {} : { recordEveryUs: command.recordEveryUs }),
  };
  const every = command.recordEveryUs;
  if (every !== null && settings.intervalsUs.some((i) => every % i !== 0)) {
    throw new ReplayUsageError([`--record-every: ${formatDurationSeconds(every / 1e6)} is not a multiple of every ENGINE_INTERVALS interval (${config.ENGINE_INTERVALS.join(',')})`]);
  }
  return { instances, skipped, settings };
}
