import type { Sql, TransactionSql } from 'postgres';
import type { PartitionSnapshot } from '../core/EngineCore.js';
import type { EngineOutputs } from '../core/outputs.js';
import type { PartitionMeta, ProductState } from '../core/PartitionProcessor.js';
import { decodeState, encodeState } from '../core/stateJson.js';
import type { TopicNames } from '../../wire/topics.js';
import { insertRows } from './insertRows.js';
import { RESULT_COLUMNS, resultRows } from './resultRows.js';
import { runLockKey } from './startLiveRun.js';

/** Another engine committed this partition since we loaded it: our view of it is stale. */
export class FencedError extends Error {
  constructor(partition: number, expected: number) {
    super(`partition ${partition} was checkpointed by another engine (expected version ${expected})`);
    this.name = 'FencedError';
  }
}

/** The run this engine writes was superseded by a run with other settings (another engine started it). */
export class RunSupersededError extends Error {
  constructor(runId: string, by: string) {
    super(`run ${runId} was superseded by run ${by}, started with other settings: this engine stops`);
    this.name = 'RunSupersededError';
  }
}

export interface LoadedPartition {
  /** Where to resume; null when the partition was never checkpointed. */
  readonly nextOffset: string | null;
  readonly version: number;
  readonly snapshot: PartitionSnapshot | undefined;
}

export interface Checkpoint {
  readonly partition: number;
  /** The version this engine loaded or last wrote; the commit succeeds only if it is still current. */
  readonly expectedVersion: number;
  readonly nextOffset: string;
  readonly meta: PartitionMeta;
  /** The state of the products changed since the last checkpoint, encoded (`encodeState`) when it was taken. */
  readonly changed: ReadonlyMap<string, string>;
  /** The state of products evicted since (idle): stored dormant, restored when they return. */
  readonly dormant: ReadonlyMap<string, string>;
  readonly outputs: EngineOutputs;
}

/** Rows per INSERT statement: well below PostgreSQL's 65 535 bind parameters for the widest table. */
const ROWS_PER_STATEMENT = 2000;

async function insertAll(tx: TransactionSql, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    await tx`INSERT INTO ${tx(table)} ${tx(chunk)} ON CONFLICT DO NOTHING`;
  }
}

/**
 * The engine's exactly-once effect: one PostgreSQL transaction holds a partition's results, the Kafka records
 * to publish (outbox), the keyed state that changed, and the offset to resume from. A crash at any point
 * leaves either all of it or none of it; on restart the engine reloads the state and resumes at the offset,
 * recomputing exactly what was lost. A version per partition fences a stale owner (after a rebalance).
 */
export class PostgresCheckpointer {
  readonly #sql: Sql;
  readonly #group: string;
  readonly #topic: string;
  readonly #topics: TopicNames;
  readonly #publish: boolean;
  readonly #runId: string;

  /**
   * `runId`: the run the results belong to; a commit fails with {@link RunSupersededError} once another run
   * superseded it. `publish: false` keeps results out of the outbox (a replay must not publish to the live topics).
   * `topic`: the topic consumed, whose offsets are checkpointed (default `topics.normalized`).
   */
  constructor(sql: Sql, group: string, topics: TopicNames, options: { runId: string; publish: boolean; topic?: string }) {
    this.#sql = sql;
    this.#group = group;
    this.#topic = options.topic ?? topics.normalized;
    this.#topics = topics;
    this.#runId = options.runId;
    this.#publish = options.publish;
  }

  /** Deletes every checkpoint of this group (a finished replay's working state). */
  async forgetAll(): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx`DELETE FROM engine_state WHERE consumer_group = ${this.#group}`;
      await tx`DELETE FROM engine_outbox WHERE consumer_group = ${this.#group}`;
      await tx`DELETE FROM engine_offsets WHERE consumer_group = ${this.#group}`;
    });
  }

  async load(partition: number): Promise<LoadedPartition> {
    const [offsets] = await this.#sql<{ next_offset: string; version: string; meta: string }[]>`
      SELECT next_offset, version, meta FROM engine_offsets
      WHERE consumer_group = ${this.#group} AND topic = ${this.#topic} AND partition = ${partition}`;
    if (offsets === undefined) return { nextOffset: null, version: 0, snapshot: undefined };
    const states = await this.#sql<{ product_id: string; state: string | null }[]>`
      SELECT product_id, CASE WHEN dormant THEN NULL ELSE state END AS state FROM engine_state
      WHERE consumer_group = ${this.#group} AND topic = ${this.#topic} AND partition = ${partition}`;
    return {
      nextOffset: offsets.next_offset,
      version: Number(offsets.version),
      snapshot: {
        meta: decodeState(offsets.meta) as PartitionMeta,
        products: new Map(states.flatMap((row) => (row.state === null ? [] : [[row.product_id, decodeState(row.state) as ProductState]]))),
        dormant: states.filter((row) => row.state === null).map((row) => row.product_id),
      },
    };
  }

  /** The stored states of dormant (evicted) products. */
  async loadDormant(partition: number, productIds: readonly string[]): Promise<Map<string, ProductState>> {
    const rows = await this.#sql<{ product_id: string; state: string }[]>`
      SELECT product_id, state FROM engine_state
      WHERE consumer_group = ${this.#group} AND topic = ${this.#topic} AND partition = ${partition}
        AND product_id = ANY(${productIds as string[]}) AND dormant`;
    return new Map(rows.map((row) => [row.product_id, decodeState(row.state) as ProductState]));
  }

  /** Commits a checkpoint; returns the new version, or throws {@link FencedError}. */
  async commit(c: Checkpoint): Promise<number> {
    const version = c.expectedVersion + 1;
    const rows = resultRows(c.outputs, this.#topics, this.#publish);
    await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock_shared(hashtext(${runLockKey(this.#group)}))`;
      const [superseded] = await tx<{ by: string }[]>`
        SELECT superseded_by AS by FROM strategy_runs WHERE run_id = ${this.#runId} AND superseded_by IS NOT NULL`;
      if (superseded !== undefined) throw new RunSupersededError(this.#runId, superseded.by);
      // Next, so that a fenced engine fails before writing anything and concurrent owners serialise here.
      const advanced = await tx`
        INSERT INTO engine_offsets (consumer_group, topic, partition, next_offset, version, meta, updated_at)
        VALUES (${this.#group}, ${this.#topic}, ${c.partition}, ${c.nextOffset}, ${version}, ${encodeState(c.meta)}, now())
        ON CONFLICT (consumer_group, topic, partition) DO UPDATE
          SET next_offset = EXCLUDED.next_offset, version = EXCLUDED.version, meta = EXCLUDED.meta, updated_at = now()
          WHERE engine_offsets.version = ${c.expectedVersion}
        RETURNING version`;
      if (advanced.length === 0) throw new FencedError(c.partition, c.expectedVersion);
      await insertRows(tx, 'bars', RESULT_COLUMNS.bars, rows.bars);
      await insertRows(tx, 'signals', RESULT_COLUMNS.signals, rows.signals);
      await insertRows(tx, 'trades', RESULT_COLUMNS.trades, rows.trades);
      await insertRows(tx, 'strategy_metrics', RESULT_COLUMNS.strategy_metrics, rows.metrics);
      await insertAll(tx, 'engine_outbox', rows.outbox.map(({ topic, record }) => ({
        consumer_group: this.#group, partition: c.partition, topic, key: record.key,
        value: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value), headers: tx.json(record.headers), timestamp_ms: record.timestampMs,
      })));
      const row = (productId: string, state: string, dormant: boolean) =>
        ({ consumer_group: this.#group, topic: this.#topic, partition: c.partition, product_id: productId, state, dormant });
      const states = [
        ...[...c.changed].map(([productId, state]) => row(productId, state, false)),
        ...[...c.dormant].map(([productId, state]) => row(productId, state, true)),
      ];
      for (let i = 0; i < states.length; i += ROWS_PER_STATEMENT) {
        await tx`INSERT INTO engine_state ${tx(states.slice(i, i + ROWS_PER_STATEMENT))}
          ON CONFLICT (consumer_group, topic, partition, product_id) DO UPDATE SET state = EXCLUDED.state, dormant = EXCLUDED.dormant`;
      }
    });
    return version;
  }
}
