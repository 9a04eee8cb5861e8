import type { Sql } from 'postgres';
import type { EngineSettings, StrategyInstance } from '../engine/core/EngineSettings.js';
import { formatDurationSeconds } from '../config/parseDuration.js';
import { runSettings } from '../engine/runSettings.js';
import type { RankBy } from './parseReplayArgs.js';
import type { PartitionRange } from './replayRange.js';

/** One strategy instance's statistics since the start, at the last bar of a run. */
export interface RunResult {
  readonly runId: string;
  readonly strategyId: string;
  readonly paramsKey: string;
  readonly productId: string;
  readonly intervalS: number;
  readonly bars: number;
  readonly cumulativeReturn: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly winRate: number;
}

export interface RunRow {
  readonly runId: string;
  readonly kind: string;
  readonly label: string | null;
  readonly status: string;
  readonly strategies: unknown;
  readonly settings: unknown;
  readonly offsets: unknown;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly summary: unknown;
}

const describeInstances = (instances: readonly StrategyInstance[]) =>
  instances.map((s) => ({ id: s.plugin.id, version: s.plugin.version, params: s.params, paramsKey: s.paramsKey }));

/**
 * Records a replay run (status `running`) with what it runs and what it reads: the topic (in `settings.topic`
 * and beside each partition's offsets, which mean nothing without it) and the offsets.
 */
export async function insertReplayRun(sql: Sql, run: {
  runId: string; label: string | null; instances: readonly StrategyInstance[]; settings: EngineSettings; topic: string;
  ranges: readonly PartitionRange[]; fromMs: number | null; toMs: number | null;
}): Promise<void> {
  const offsets = run.ranges.map((r) => ({ topic: run.topic, partition: r.partition, start: String(r.start), end: String(r.end) }));
  const recorded = {
    ...runSettings(run.settings, run.topic), products: run.settings.products === null ? null : [...run.settings.products].sort(),
    eventTime: run.settings.eventTimePerProduct === true ? 'product' : 'partition',
    recordEvery: (run.settings.recordEveryUs ?? 0) === 0 ? 'every bar' : formatDurationSeconds((run.settings.recordEveryUs ?? 0) / 1e6),
  };
  await sql`
    INSERT INTO strategy_runs (run_id, kind, label, strategies, settings, status, started_at, offsets, from_time, to_time)
    VALUES (${run.runId}, 'replay', ${run.label}, ${sql.json(describeInstances(run.instances) as never)}, ${sql.json(recorded)},
      'running', now(), ${sql.json(offsets)}, ${run.fromMs === null ? null : new Date(run.fromMs)}, ${run.toMs === null ? null : new Date(run.toMs)})`;
}

export async function finishReplayRun(sql: Sql, runId: string, status: 'finished' | 'failed' | 'interrupted', summary: unknown): Promise<void> {
  await sql`UPDATE strategy_runs SET status = ${status}, finished_at = now(), summary = ${sql.json(summary as never)} WHERE run_id = ${runId}`;
}

/** The statistics since the start at each instance's last bar, for these runs. */
export async function runResults(sql: Sql, runIds: readonly string[]): Promise<RunResult[]> {
  const rows = await sql<{ run_id: string; strategy_id: string; params_key: string; product_id: string; interval_s: number; bars: number;
    cumulative_return: number; sharpe: number; sortino: number; max_drawdown: number; trade_count: number; win_rate: number }[]>`
    SELECT DISTINCT ON (run_id, strategy_id, params_key, product_id, interval_s)
      run_id, strategy_id, params_key, product_id, interval_s, bars, cumulative_return, sharpe, sortino, max_drawdown, trade_count, win_rate
    FROM strategy_metrics
    WHERE run_id = ANY(${runIds as string[]}) AND window_bars = 0
    ORDER BY run_id, strategy_id, params_key, product_id, interval_s, time DESC`;
  return rows.map((r) => ({
    runId: r.run_id, strategyId: r.strategy_id, paramsKey: r.params_key, productId: r.product_id, intervalS: r.interval_s, bars: r.bars,
    cumulativeReturn: r.cumulative_return, sharpe: r.sharpe, sortino: r.sortino, maxDrawdown: r.max_drawdown, tradeCount: r.trade_count, winRate: r.win_rate,
  }));
}

const RANK_VALUE: Record<RankBy, (r: RunResult) => number> = {
  sharpe: (r) => r.sharpe,
  sortino: (r) => r.sortino,
  return: (r) => r.cumulativeReturn,
  // Drawdowns are ≤ 0: the shallowest ranks first.
  drawdown: (r) => r.maxDrawdown,
  trades: (r) => r.tradeCount,
  win_rate: (r) => r.winRate,
};

/** Best first by the statistic; NaN (too few bars or trades) last; ties in a stable, readable order. */
export function rankResults(results: readonly RunResult[], by: RankBy): RunResult[] {
  const value = RANK_VALUE[by];
  return [...results].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
    if (x !== y && !Number.isNaN(x)) return y - x > 0 ? 1 : -1;
    return `${a.runId} ${a.productId} ${a.intervalS}`.localeCompare(`${b.runId} ${b.productId} ${b.intervalS}`);
  });
}

interface RunRecord {
  run_id: string; kind: string; label: string | null; status: string; strategies: unknown; settings: unknown;
  offsets: unknown; started_at: Date; finished_at: Date | null; summary: unknown;
}

const toRunRow = (r: RunRecord): RunRow => ({
  runId: r.run_id, kind: r.kind, label: r.label, status: r.status, strategies: r.strategies, settings: r.settings, offsets: r.offsets,
  startedAt: r.started_at, finishedAt: r.finished_at, summary: r.summary,
});

/** The newest runs first (live and replays). */
export async function listRuns(sql: Sql, limit = 50): Promise<RunRow[]> {
  const rows = await sql<RunRecord[]>`
    SELECT run_id, kind, label, status, strategies, settings, offsets, started_at, finished_at, summary
    FROM strategy_runs ORDER BY started_at DESC, run_id LIMIT ${limit}`;
  return rows.map(toRunRow);
}

export async function findRun(sql: Sql, runId: string): Promise<RunRow | null> {
  const [row] = await sql<RunRecord[]>`
    SELECT run_id, kind, label, status, strategies, settings, offsets, started_at, finished_at, summary FROM strategy_runs WHERE run_id = ${runId}`;
  return row === undefined ? null : toRunRow(row);
}
