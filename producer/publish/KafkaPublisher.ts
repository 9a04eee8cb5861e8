import { setTimeout as sleep } from 'node:timers/promises';
import type { CompressionTypes, Producer, TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import { toKafkaMessage } from '../../kafka/toKafkaMessage.js';
import type { ProducerMetrics } from '../../metrics/producerMetrics.js';
import type { TopicNames } from '../../wire/topics.js';
import type { BoundedQueue } from './BoundedQueue.js';
import type { QueuedFrame } from './QueuedFrame.js';

export interface KafkaPublisherOptions {
  readonly producer: Producer;
  readonly topics: TopicNames;
  readonly compression: CompressionTypes;
  readonly queue: BoundedQueue<QueuedFrame>;
  readonly metrics: ProducerMetrics;
  readonly logger: Logger;
  readonly nowUs: () => number;
  /** Upper bound of one send's uncompressed payload, kept well below the broker's message size limit. */
  readonly maxBatchBytes?: number;
}

/**
 * Drains the queue into Kafka, one `sendBatch` in flight at a time (the idempotent producer's ordering
 * guarantee), with acks from all in-sync replicas. A failed send is retried with exactly the same frames:
 * kafkajs rolls its sequence numbers back on failure, so the retry carries the same producer sequence
 * numbers and the broker de-duplicates a batch that had in fact been written.
 */
export class KafkaPublisher {
  readonly #o: KafkaPublisherOptions;
  readonly #maxBatchBytes: number;
  #running: Promise<void> | null = null;
  #stopping = false;
  /** Ends the current wait early (set by each wait, called by stop). */
  #wake: (() => void) | null = null;
  readonly #abort = new AbortController();

  constructor(options: KafkaPublisherOptions) {
    this.#o = options;
    this.#maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Waits until everything queued has been acknowledged, or `timeoutMs` passed; returns what is left. */
  async flush(timeoutMs: number): Promise<number> {
    await Promise.race([this.#o.queue.whenEmpty(), sleep(timeoutMs, undefined, { ref: false })]);
    return this.#o.queue.length;
  }

  /**
   * Stops sending. Waits up to `graceMs` for a send in flight (in a Kafka outage it may not end by itself;
   * disconnecting the producer afterwards makes it fail).
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    this.#wake?.();
    if (this.#running !== null) await Promise.race([this.#running, sleep(graceMs, undefined, { ref: false })]);
  }

  async #loop(): Promise<void> {
    const { queue, logger, metrics } = this.#o;
    let failures = 0;
    // The batch being sent; kept until Kafka acknowledges it, so that a retry sends exactly the same frames.
    let batch: QueuedFrame[] | null = null;
    while (!this.#isStopping()) {
      if (queue.length === 0) {
        await this.#wait(queue.whenNotEmpty());
        continue;
      }
      batch ??= queue.peek(this.#maxBatchBytes);
      try {
        await this.#o.producer.sendBatch({ topicMessages: this.#topicMessages(batch), acks: -1, compression: this.#o.compression });
      } catch (error) {
        if (this.#isStopping()) break;
        failures += 1;
        metrics.publishErrors.inc();
        logger.error({ err: error, frames: batch.length, failures }, 'Kafka send failed; retrying the same batch');
        await this.#wait(sleep(Math.min(100 * 2 ** failures, 5000), undefined, { signal: this.#abort.signal }).catch(() => undefined));
        continue;
      }
      if (failures > 0) logger.info({ failures }, 'Kafka sends succeed again');
      failures = 0;
      queue.remove(batch.length);
      this.#account(batch);
      batch = null;
    }
  }

  /** A call, not a field read: the flag changes across awaits, which narrowing cannot see. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  /** Waits for `promise`, or until stop() is called. */
  async #wait(promise: Promise<unknown>): Promise<void> {
    await Promise.race([promise, new Promise<void>((resolve) => { this.#wake = resolve; })]);
    this.#wake = null;
  }

  #topicMessages(batch: readonly QueuedFrame[]): TopicMessages[] {
    const byTopic = new Map<string, TopicMessages>();
    for (const frame of batch) {
      for (const { topic: role, record } of frame.records) {
        const topic = this.#o.topics[role];
        let entry = byTopic.get(topic);
        if (entry === undefined) {
          entry = { topic, messages: [] };
          byTopic.set(topic, entry);
        }
        entry.messages.push(toKafkaMessage(record));
      }
    }
    return [...byTopic.values()];
  }

  #account(batch: readonly QueuedFrame[]): void {
    const { metrics } = this.#o;
    const nowUs = this.#o.nowUs();
    const trades = new Map<string, number>();
    const quotes = new Map<string, number>();
    const gaps = new Map<string, number>();
    const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    for (const frame of batch) {
      metrics.publishLatency.observe(Math.max(0, nowUs - frame.receivedAtUs) / 1e6);
      for (const event of frame.events) {
        if (event.type === 'trade') bump(trades, event.productId);
        else if (event.type === 'quote') bump(quotes, event.productId);
        else if (event.type === 'gap') bump(gaps, `${event.productId}\u0000${event.reason}`);
      }
    }
    for (const [product, n] of trades) metrics.tradesPublished.inc({ product }, n);
    for (const [product, n] of quotes) metrics.quotesPublished.inc({ product }, n);
    for (const [key, n] of gaps) {
      const [product = '', reason = ''] = key.split('\u0000');
      metrics.gapMarkersPublished.inc({ product, reason }, n);
    }
  }
}
