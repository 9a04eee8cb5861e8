import type { Sql } from 'postgres';
import type { EngineSettings } from '../core/EngineSettings.js';

/** The live run's row in `strategy_runs`: what it runs and since when. */
export async function recordLiveRun(sql: Sql, runId: string, settings: EngineSettings): Promise<void> {
  const strategies = settings.strategies.map((s) => ({ id: s.plugin.id, version: s.plugin.version, params: s.params, paramsKey: s.paramsKey }));
  const { strategies: _instances, ...rest } = settings;
  await sql`
    INSERT INTO strategy_runs (run_id, kind, strategies, settings, status, started_at)
    VALUES (${runId}, 'live', ${sql.json(strategies as never)}, ${sql.json(rest)}, 'running', now())
    ON CONFLICT (run_id) DO UPDATE SET strategies = EXCLUDED.strategies, settings = EXCLUDED.settings,
      status = 'running', started_at = EXCLUDED.started_at, finished_at = NULL`;
}
