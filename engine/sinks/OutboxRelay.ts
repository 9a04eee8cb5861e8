import { setTimeout as sleep } from 'node:timers/promises';
import type { CompressionTypes, Producer, TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp_ms: string;
}

/**
 * Publishes what checkpoints put in the outbox to Kafka, in commit order, then deletes it: the Kafka side of
 * the engine's exactly-once effect. Rows stay locked (`FOR UPDATE SKIP LOCKED`) while they are sent, so two
 * engines never publish the same rows; they are deleted only after Kafka acknowledged them, so nothing is
 * lost. A crash between the acknowledgement and the delete publishes those rows again: Kafka consumers see
 * at-least-once delivery of records whose key and content identify them (same bar, same instance).
 */
export class OutboxRelay {
  readonly #sql: Sql;
  readonly #producer: Producer;
  readonly #group: string;
  readonly #compression: CompressionTypes;
  readonly #logger: Logger;
  readonly #onPublished: (count: number) => void;
  readonly #ownedPartitions: () => readonly number[];
  #running: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #pending = false;

  constructor(options: {
    sql: Sql; producer: Producer; group: string; compression: CompressionTypes; logger: Logger; onPublished: (count: number) => void;
    /** Only these partitions' rows are published here, so a key's records leave in order from one engine. */
    ownedPartitions: () => readonly number[];
  }) {
    this.#sql = options.sql;
    this.#producer = options.producer;
    this.#group = options.group;
    this.#compression = options.compression;
    this.#logger = options.logger;
    this.#onPublished = options.onPublished;
    this.#ownedPartitions = options.ownedPartitions;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** A checkpoint committed new rows. */
  notify(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Publishes one batch of rows; returns how many. */
  async publishOnce(limit = 1000): Promise<number> {
    const owned = [...this.#ownedPartitions()];
    if (owned.length === 0) return 0;
    return this.#sql.begin(async (tx) => {
      const rows = await tx<OutboxRow[]>`
        SELECT id, topic, key, value, headers, timestamp_ms FROM engine_outbox
        WHERE consumer_group = ${this.#group} AND partition = ANY(${owned}) ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, TopicMessages>();
      for (const row of rows) {
        let entry = byTopic.get(row.topic);
        if (entry === undefined) byTopic.set(row.topic, (entry = { topic: row.topic, messages: [] }));
        entry.messages.push({ key: row.key, value: row.value, headers: row.headers, timestamp: row.timestamp_ms });
      }
      await this.#producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1, compression: this.#compression });
      await tx`DELETE FROM engine_outbox WHERE id = ANY(${rows.map((r) => r.id)})`;
      this.#onPublished(rows.length);
      return rows.length;
    });
  }

  /** Stops after publishing what is there, giving up after `timeoutMs` (rows left are published on the next start). */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    while (Date.now() < deadline) {
      try {
        if ((await this.publishOnce()) === 0) break;
      } catch (error) {
        this.#logger.warn({ err: error }, 'outbox not fully published at shutdown; the rest goes out on the next start');
        break;
      }
    }
  }

  #isStopping(): boolean {
    return this.#stopping;
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (!this.#isStopping()) {
      try {
        this.#pending = false;
        while ((await this.publishOnce()) > 0) { /* drain */ }
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#logger.error({ err: error, failures }, 'publishing the outbox failed; retrying');
      }
      if (this.#pending || this.#isStopping()) continue;
      const delayMs = failures === 0 ? 1000 : Math.min(100 * 2 ** failures, 5000);
      await Promise.race([sleep(delayMs, undefined, { ref: false }), new Promise<void>((resolve) => { this.#wake = resolve; })]);
      this.#wake = null;
    }
  }
}
