import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { toKafkaMessage } from '../kafka/toKafkaMessage.js';
import { deadLetterRecord } from '../wire/deadLetterRecord.js';
import type { MarketEvent } from '../wire/MarketEvent.js';
import { marketEventRecord } from '../wire/marketEventRecord.js';
import type { TopicNames } from '../wire/topics.js';
import type { Rejected } from './core/Rejected.js';

export interface HistoryWriterOptions {
  /** An idempotent kafkajs producer (`idempotent: true`, one request in flight). */
  readonly producer: Producer;
  readonly topics: TopicNames;
  readonly compression: 'gzip' | 'none';
  /** Names this run in the dead letters (`connection-id` header). */
  readonly runId: string;
  /** Most messages per Kafka request. */
  readonly maxBatchMessages?: number;
}

interface Queued {
  readonly history: Message[];
  readonly deadLetters: Message[];
}

/**
 * Writes events to `prices.history` (through the wire codec: keyed by product, timestamped with event time)
 * and rejected records to `prices.dlq`. Writes are queued in call order and sent by one loop, one request at
 * a time, each acknowledged by all in-sync replicas before the next goes: so whatever Kafka holds of a stream
 * is a prefix of what was written for it, the resume point after any crash, even `kill -9`. Writes of all
 * streams that wait together go in one request (the idempotent producer allows one in flight anyway), so
 * throughput grows with the streams. After a failed send nothing more is sent: {@link flush} throws it.
 */
export class HistoryWriter {
  readonly #o: HistoryWriterOptions;
  readonly #queue: Queued[] = [];
  #queuedMessages = 0;
  #sending = false;
  #failure: Error | null = null;
  #drained: (() => void)[] = [];
  events = 0;
  deadLetters = 0;

  constructor(options: HistoryWriterOptions) {
    this.#o = options;
  }

  /** Queues a stream's next events (in its order) and records it rejected, from `origin` (e.g. `backfill:coinbase-exchange`). */
  write(events: readonly MarketEvent[], rejected: readonly Rejected[], receivedAtUs: number, origin: string): void {
    if (this.#failure !== null) throw this.#failure;
    if (events.length === 0 && rejected.length === 0) return;
    this.#queue.push({
      history: events.map((e) => toKafkaMessage(marketEventRecord(e))),
      deadLetters: rejected.map((r) => toKafkaMessage(deadLetterRecord({
        reason: r.reason, detail: r.detail, origin, connectionId: this.#o.runId, receivedAtUs, payload: Buffer.from(r.payload, 'utf8'),
      }))),
    });
    this.#queuedMessages += events.length + rejected.length;
    if (!this.#sending) {
      this.#sending = true;
      // #send never rejects: a failure is kept and thrown by drain() and flush().
      void this.#send();
    }
  }

  /** Waits until at most `messages` are queued (back-pressure for the fetchers); throws a failed send. */
  async drain(messages: number): Promise<void> {
    while (this.#queuedMessages > messages && this.#failure === null) await new Promise<void>((resolve) => { this.#drained.push(resolve); });
    if (this.#failure !== null) throw this.#failure;
  }

  /** Waits until everything queued is acknowledged; throws a failed send. */
  async flush(): Promise<void> {
    await this.drain(0);
  }

  async #send(): Promise<void> {
    const max = this.#o.maxBatchMessages ?? 20_000;
    try {
      while (this.#queue.length > 0) {
        const history: Message[] = [];
        const deadLetters: Message[] = [];
        let taken = 0;
        while (this.#queue.length > 0 && (taken === 0 || history.length + deadLetters.length + (this.#queue[0]?.history.length ?? 0) <= max)) {
          const next = this.#queue.shift();
          if (next === undefined) break;
          history.push(...next.history);
          deadLetters.push(...next.deadLetters);
          taken += 1;
        }
        const topicMessages = [
          ...(history.length > 0 ? [{ topic: this.#o.topics.history, messages: history }] : []),
          ...(deadLetters.length > 0 ? [{ topic: this.#o.topics.deadLetter, messages: deadLetters }] : []),
        ];
        await this.#o.producer.sendBatch({ topicMessages, acks: -1, compression: this.#o.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None });
        this.events += history.length;
        this.deadLetters += deadLetters.length;
        this.#queuedMessages -= history.length + deadLetters.length;
        this.#wake();
      }
    } catch (error) {
      this.#failure = error as Error;
      this.#queue.length = 0;
    } finally {
      this.#sending = false;
      this.#wake();
    }
  }

  #wake(): void {
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}
