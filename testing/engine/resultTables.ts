import type { Kafka } from 'kafkajs';
import type { Sql } from 'postgres';
import { EngineCore } from '../../engine/core/EngineCore.js';
import type { EngineSettings } from '../../engine/core/EngineSettings.js';
import { EngineOutputs } from '../../engine/core/outputs.js';
import { resultRows } from '../../engine/sinks/resultRows.js';
import { topicNames } from '../../wire/topics.js';
import { readTopic } from '../kafka/readTopic.js';

export type Row = Record<string, unknown>;
export interface ResultTables { bars: Row[]; signals: Row[]; trades: Row[]; strategy_metrics: Row[] }

const TIME_COLUMNS = { bars: 'bucket', signals: 'time', trades: 'time', strategy_metrics: 'time' } as const;
const KEYS = {
  bars: ['run_id', 'product_id', 'interval_s', 'bucket'],
  signals: ['run_id', 'strategy_id', 'params_key', 'product_id', 'interval_s', 'time'],
  trades: ['run_id', 'strategy_id', 'params_key', 'product_id', 'interval_s', 'time', 'seq'],
  strategy_metrics: ['run_id', 'strategy_id', 'params_key', 'product_id', 'interval_s', 'window_bars', 'time'],
} as const;

function timestampUs(iso: string): number {
  const micros = Number(/\.\d{3}(\d{3})Z$/.exec(iso)?.[1] ?? 0);
  return Date.parse(iso) * 1000 + micros;
}

function sortRows(table: keyof ResultTables, rows: Row[]): Row[] {
  const keys = KEYS[table];
  return rows.sort((a, b) => {
    for (const k of keys) {
      const [x, y] = [a[k], b[k]];
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x) < String(y) ? -1 : 1;
    }
    return 0;
  });
}

/** Every row of the result tables, times as µs numbers, in key order. */
export async function readResultTables(sql: Sql): Promise<ResultTables> {
  const tables = {} as ResultTables;
  for (const table of Object.keys(KEYS) as (keyof ResultTables)[]) {
    const time = TIME_COLUMNS[table];
    const signalTime = table === 'trades' ? ', (extract(epoch FROM signal_time) * 1000000)::bigint AS signal_time_us' : '';
    const rows = await sql.unsafe<Row[]>(`SELECT *, (extract(epoch FROM ${time}) * 1000000)::bigint AS time_us${signalTime} FROM ${table}`);
    tables[table] = sortRows(table, rows.map(({ time_us: us, signal_time_us: signalUs, ...row }) => ({
      ...row, [time]: Number(us), ...(table === 'trades' ? { signal_time: signalUs === null ? null : Number(signalUs) } : {}),
    })));
  }
  return tables;
}

/**
 * The result tables an uninterrupted engine must produce for a topic's current records: the engine's core
 * run in-process, partition by partition, in offset order.
 */
export async function expectedResultTables(kafka: Kafka, prefix: string, settings: EngineSettings): Promise<ResultTables> {
  const topics = topicNames(prefix);
  const records = await readTopic(kafka, topics.normalized);
  // Eviction changes no result (its books are restored), and this run has no store to restore them from.
  const core = new EngineCore({ ...settings, idleEvictUs: Number.MAX_SAFE_INTEGER }, topics.normalized);
  const out = new EngineOutputs();
  for (const partition of new Set(records.map((r) => r.partition))) core.assign(partition);
  for (const r of records) {
    core.process({ partition: r.partition, offset: String(r.offset), value: Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value), timestampMs: r.timestampMs }, out);
  }
  const rows = resultRows(out, topics);
  const withTimes = (table: keyof ResultTables, list: Row[]) => sortRows(table, list.map((row) => {
    const time = TIME_COLUMNS[table];
    const signalTime = row['signal_time'];
    return { ...row, [time]: timestampUs(row[time] as string), ...(table === 'trades' ? { signal_time: signalTime === null ? null : timestampUs(signalTime as string) } : {}) };
  }));
  return { bars: withTimes('bars', rows.bars), signals: withTimes('signals', rows.signals), trades: withTimes('trades', rows.trades), strategy_metrics: withTimes('strategy_metrics', rows.metrics) };
}
