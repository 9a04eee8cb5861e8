import type { Sql, TransactionSql } from 'postgres';
import type { EngineSettings } from '../core/EngineSettings.js';
import { runSettings, settingsChanges } from '../runSettings.js';

/** The advisory lock that orders a group's run changes and its checkpoints (see `startLiveRun`). */
export const runLockKey = (group: string): string => `strategy_runs live ${group}`;

/** The id of a consumer group's first live run; later ones are `live-2`, `live-3`, … */
export const FIRST_LIVE_RUN_ID = 'live';

export interface LiveRun {
  /** The run the engine's results belong to. */
  readonly runId: string;
  /** The run this one superseded, and every setting that changed; null when a run goes on or is the first. */
  readonly superseded: { readonly runId: string; readonly changes: readonly string[] } | null;
}

/** A consumer group's current live run, with the settings it recorded (`RunSettings`, or an older form). */
export interface CurrentLiveRun {
  readonly runId: string;
  readonly settings: unknown;
  /** Recorded before runs had a group (migration 0005): the first group to start claims it. */
  readonly unclaimed: boolean;
}

/** The live run a group's engine would continue or supersede: the group's own, else the unclaimed one; null with neither. Reads only. */
export async function currentLiveRun(sql: Sql | TransactionSql, group: string): Promise<CurrentLiveRun | null> {
  const [row] = await sql<{ run_id: string; settings: unknown; unclaimed: boolean }[]>`
    SELECT run_id, settings, consumer_group IS NULL AS unclaimed FROM strategy_runs
    WHERE kind = 'live' AND (consumer_group = ${group} OR consumer_group IS NULL) AND superseded_by IS NULL
    ORDER BY consumer_group IS NULL, started_at DESC LIMIT 1`;
  return row === undefined ? null : { runId: row.run_id, settings: row.settings, unclaimed: row.unclaimed };
}

/**
 * Opens the live run of a consumer group. State belongs to the settings that built it: with the settings of
 * the group's current run, that run goes on (its checkpoints resume); with other settings, the current run
 * ends (`finished`, `superseded_by` the new one) keeping its settings and results, and a new run starts from
 * the group's current offsets with fresh state (its state rows are deleted and every partition's checkpoint
 * version moves on, so an engine still running the old settings is fenced off and stops). One transaction,
 * serialised per group. Whether other settings may supersede a run that engines of the group are running is
 * decided before, from the group's members (`decideLiveStart`). `topic`: the topic the engine reads, a setting too.
 */
export async function startLiveRun(sql: Sql, group: string, settings: EngineSettings, topic: string): Promise<LiveRun> {
  const recorded = runSettings(settings, topic);
  const strategies = settings.strategies.map((s) => ({ id: s.plugin.id, version: s.plugin.version, params: s.params, paramsKey: s.paramsKey }));
  return sql.begin(async (tx) => {
    // Exclusive against every checkpoint of the group (they take it shared): none is half-way through
    // when the state is deleted below, and each later one sees whether its run was superseded.
    await tx`SELECT pg_advisory_xact_lock(hashtext(${runLockKey(group)}))`;
    let current = await currentLiveRun(tx, group);
    if (current?.unclaimed === true) {
      // Another group may have claimed it since the read: then this group has no run yet.
      const claimed = await tx`UPDATE strategy_runs SET consumer_group = ${group} WHERE run_id = ${current.runId} AND consumer_group IS NULL`;
      if (claimed.count === 0) current = null;
    }
    const changes = current === null ? [] : settingsChanges(current.settings, recorded);
    if (current !== null && changes.length === 0) {
      await tx`UPDATE strategy_runs SET status = 'running', finished_at = NULL, strategies = ${tx.json(strategies as never)} WHERE run_id = ${current.runId}`;
      return { runId: current.runId, superseded: null };
    }
    const taken = new Set((await tx<{ run_id: string }[]>`SELECT run_id FROM strategy_runs WHERE run_id LIKE 'live%'`).map((r) => r.run_id));
    let runId = FIRST_LIVE_RUN_ID;
    for (let n = 2; taken.has(runId); n++) runId = `${FIRST_LIVE_RUN_ID}-${n}`;
    await tx`
      INSERT INTO strategy_runs (run_id, kind, strategies, settings, status, started_at, consumer_group)
      VALUES (${runId}, 'live', ${tx.json(strategies as never)}, ${tx.json(recorded as never)}, 'running', now(), ${group})`;
    // A new run starts with fresh state (state without a run, from before runs were recorded, is not trusted either).
    await tx`UPDATE engine_offsets SET version = version + 1 WHERE consumer_group = ${group}`;
    await tx`DELETE FROM engine_state WHERE consumer_group = ${group}`;
    if (current === null) return { runId, superseded: null };
    await tx`UPDATE strategy_runs SET status = 'finished', finished_at = coalesce(finished_at, now()), superseded_by = ${runId} WHERE run_id = ${current.runId}`;
    return { runId, superseded: { runId: current.runId, changes } };
  });
}
