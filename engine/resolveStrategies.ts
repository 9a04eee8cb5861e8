import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type ConfigProblem } from '../config/ConfigError.js';
import { paramsKey } from '../strategies/paramsKey.js';
import { parseStrategyParams, StrategyParamsError } from '../strategies/parseStrategyParams.js';
import { BUILTIN_STRATEGIES } from '../strategies/registry.js';
import type { StrategyPlugin } from '../strategies/Strategy.js';
import type { StrategyInstance } from './core/EngineSettings.js';

type ModuleLoader = (specifier: string) => Promise<Record<string, unknown>>;

const importModule: ModuleLoader = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

function isPlugin(value: unknown): value is StrategyPlugin {
  const v = value as Partial<StrategyPlugin> | null;
  return v !== null && typeof v === 'object' && typeof v.id === 'string' && /^[a-z][a-z0-9_]*$/.test(v.id)
    && Number.isInteger(v.version) && typeof v.paramsSchema === 'object' && typeof v.create === 'function';
}

/** A module's plug-in: its default export, an export named `plugin`, or its only export that is one. */
function pluginOf(module: Record<string, unknown>): StrategyPlugin | null {
  if (isPlugin(module['default'])) return module['default'];
  if (isPlugin(module['plugin'])) return module['plugin'];
  const plugins = Object.values(module).filter(isPlugin);
  return plugins.length === 1 ? (plugins[0] as StrategyPlugin) : null;
}

async function loadPlugin(entry: string, load: ModuleLoader, problems: ConfigProblem[]): Promise<StrategyPlugin | null> {
  const builtin = BUILTIN_STRATEGIES[entry];
  if (builtin !== undefined) return builtin;
  const looksLikeModule = entry.startsWith('.') || isAbsolute(entry) || entry.includes('/') || entry.startsWith('@');
  if (!looksLikeModule) {
    problems.push({ name: 'STRATEGY_MODULE', message: `Unknown strategy "${entry}". Available: ${Object.keys(BUILTIN_STRATEGIES).join(', ')} (or a module path)` });
    return null;
  }
  const specifier = entry.startsWith('.') || isAbsolute(entry) ? pathToFileURL(resolve(entry)).href : entry;
  let module: Record<string, unknown>;
  try {
    module = await load(specifier);
  } catch (error) {
    problems.push({ name: 'STRATEGY_MODULE', message: `cannot load "${entry}": ${(error as Error).message}` });
    return null;
  }
  const plugin = pluginOf(module);
  if (plugin === null) {
    problems.push({ name: 'STRATEGY_MODULE', message: `"${entry}" exports no strategy plug-in (an object with id, version, paramsSchema and create)` });
  }
  return plugin;
}

/** STRATEGY_PARAMS for one plug-in: its parameter sets (at least one; `{}` takes every default). */
function paramSets(json: unknown, plugin: StrategyPlugin, selected: readonly StrategyPlugin[]): unknown[] {
  if (json === undefined) return [{}];
  const ids = new Set(selected.map((p) => p.id));
  const keyedById = json !== null && typeof json === 'object' && !Array.isArray(json)
    && Object.keys(json).length > 0 && Object.keys(json).every((k) => ids.has(k));
  const mine = keyedById ? (json as Record<string, unknown>)[plugin.id] : json;
  if (mine === undefined) return [{}];
  return Array.isArray(mine) ? mine : [mine];
}

/**
 * The strategy instances STRATEGY_MODULE and STRATEGY_PARAMS describe; throws a {@link ConfigError} naming
 * the variable of every problem (unknown id, unloadable module, invalid or unknown parameters).
 */
export async function resolveStrategies(modules: readonly string[], paramsText: string, load: ModuleLoader = importModule): Promise<StrategyInstance[]> {
  const problems: ConfigProblem[] = [];
  const plugins = (await Promise.all(modules.map((m) => loadPlugin(m, load, problems)))).filter((p): p is StrategyPlugin => p !== null);
  const json: unknown = paramsText.trim() === '' ? undefined : JSON.parse(paramsText);
  if (plugins.length > 1 && json !== undefined && !Array.isArray(json)) {
    const ids = new Set(plugins.map((p) => p.id));
    const unknownKeys = Object.keys(json as object).filter((k) => !ids.has(k));
    if (unknownKeys.length > 0) {
      problems.push({ name: 'STRATEGY_PARAMS', message: `with several strategies, give parameters per strategy id (${[...ids].join(', ')}); unknown keys: ${unknownKeys.join(', ')}` });
      throw new ConfigError(problems);
    }
  }
  const instances: StrategyInstance[] = [];
  for (const plugin of plugins) {
    for (const input of paramSets(json, plugin, plugins)) {
      try {
        const params = parseStrategyParams(plugin, input) as Record<string, unknown>;
        const key = paramsKey(params);
        if (!instances.some((i) => i.plugin.id === plugin.id && i.paramsKey === key)) instances.push({ plugin, params, paramsKey: key });
      } catch (error) {
        if (!(error instanceof StrategyParamsError)) throw error;
        problems.push({ name: 'STRATEGY_PARAMS', message: error.message });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return instances;
}
