import type { CompressionTypes, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { LogThrottle } from '../logging/LogThrottle.js';
import { createProducerMetrics, type ProducerMetrics } from '../metrics/producerMetrics.js';
import { assertServingLeaders } from '../kafka/assertServingLeaders.js';
import { TOPICS_RETRY_POLICY } from '../kafka/ensureTopics.js';
import { readTail } from '../kafka/readTail.js';
import { retryRetriable } from '../kafka/retryRetriable.js';
import { deadLetterRecord } from '../wire/deadLetterRecord.js';
import type { MarketEvent } from '../wire/MarketEvent.js';
import { decodeMarketEvent } from '../wire/marketEventCodec.js';
import { marketEventRecord } from '../wire/marketEventRecord.js';
import { rawFrameRecord, type RawFrame } from '../wire/rawFrameRecord.js';
import { topicNames } from '../wire/topics.js';
import { FeedConnection } from './connection/FeedConnection.js';
import type { FeedProtocol } from './feed/FeedProtocol.js';
import type { FrameOutcome } from './feed/FeedSession.js';
import { FeedState } from './feed/FeedState.js';
import { BoundedQueue } from './publish/BoundedQueue.js';
import { KafkaPublisher } from './publish/KafkaPublisher.js';
import { queuedFrameBytes, type QueuedFrame } from './publish/QueuedFrame.js';

export interface MarketDataProducerOptions {
  readonly protocol: FeedProtocol;
  readonly url: string;
  readonly productIds: readonly string[];
  readonly kafka: Kafka;
  readonly topicPrefix: string;
  readonly compression: CompressionTypes;
  readonly maxFrameBytes: number;
  readonly stallTimeoutMs: number;
  readonly subscribeTimeoutMs: number;
  /** How often to ask Coinbase again for products it did not confirm (COINBASE_RESUBSCRIBE_INTERVAL_MS). */
  readonly resubscribeIntervalMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly queueMaxBytes: number;
  readonly dedupeWindow: number;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Wall clock in µs: stamps each frame's receipt time. */
  readonly nowUs: () => number;
}

/**
 * Coinbase → Kafka. Every frame goes to `prices.raw` as received; its valid events to `prices.normalized`;
 * invalid frames to `prices.dlq` with the reason. The WebSocket handler never waits on Kafka: frames pass
 * through a queue bounded in bytes, and when it is full the frame is dropped and counted, the connection is
 * replaced once the queue has drained to half, and the next connection publishes an `overflow` gap marker
 * (its subscription snapshot resynchronises the stream; repeated trades are de-duplicated).
 */
export class MarketDataProducer {
  readonly metrics: ProducerMetrics;
  readonly #o: MarketDataProducerOptions;
  readonly #queue: BoundedQueue<QueuedFrame>;
  readonly #kafkaProducer: Producer;
  readonly #publisher: KafkaPublisher;
  readonly #connection: FeedConnection;
  readonly #throttle = new LogThrottle(5000);
  readonly #state: FeedState;
  #lastFrameAtUs: number | null = null;
  readonly #startedAtUs: number;
  #overflowing = false;
  #stopped: Promise<void> | null = null;
  /** Aborted by `stop`: ends a start still waiting for Kafka. */
  readonly #starting = new AbortController();

  constructor(options: MarketDataProducerOptions) {
    this.#o = options;
    this.#startedAtUs = options.nowUs();
    this.#queue = new BoundedQueue(options.queueMaxBytes);
    this.#state = new FeedState(options.dedupeWindow);
    this.metrics = createProducerMetrics(options.registry, {
      // Before the first frame, the age counts from the producer's start: a feed that never connects is stale too.
      lastFrameAgeSeconds: () => Math.max(0, options.nowUs() - (this.#lastFrameAtUs ?? this.#startedAtUs)) / 1e6,
      queueFrames: () => this.#queue.length,
      queueBytes: () => this.#queue.bytes,
    });
    this.#kafkaProducer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Finite, so that a send fails in an outage and shutdown is never stuck; KafkaPublisher then re-sends
      // the same batch with the same sequence numbers, which keeps the idempotence guarantee.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    this.#publisher = new KafkaPublisher({
      producer: this.#kafkaProducer, topics: topicNames(options.topicPrefix), compression: options.compression,
      queue: this.#queue, metrics: this.metrics, logger: options.logger, nowUs: options.nowUs,
    });
    this.#connection = new FeedConnection({
      url: options.url, protocol: options.protocol, productIds: options.productIds,
      state: this.#state, maxFrameBytes: options.maxFrameBytes,
      stallTimeoutMs: options.stallTimeoutMs, subscribeTimeoutMs: options.subscribeTimeoutMs,
      resubscribeIntervalMs: options.resubscribeIntervalMs,
      backoff: { baseMs: options.reconnectBaseMs, maxMs: options.reconnectMaxMs },
      nowUs: options.nowUs, logger: options.logger, metrics: this.metrics,
      onFrame: (frame, outcome) => this.#onFrame(frame, outcome),
      onRefusedFrame: (connectionId, detail) => { this.#onRefusedFrame(connectionId, detail); },
      beforeConnect: () => this.#queue.whenBelow(0.5),
    });
  }

  /**
   * Connects to Kafka, waits until its topics' partitions have leaders that serve them (a fresh or restarting
   * broker answers "not the leader" for a while: retried under the policy of `make topics`, then it fails
   * naming the topics and the last Kafka error), recalls what the previous run published, then starts the
   * feed. Recalling the tail of
   * `prices.normalized` (the last PRODUCER_DEDUPE_WINDOW records of each partition) keeps trades published
   * once across restarts: the first subscription's snapshot repeats trades the last run already published.
   * A restart is a gap in the stream, so the first connection reports one.
   */
  async start(): Promise<void> {
    await this.#kafkaProducer.connect();
    await this.#waitForServingLeaders();
    const recalled = await this.#recall();
    this.#publisher.start();
    this.#connection.start(recalled > 0 ? { reason: 'reconnect', missed: null } : null);
  }

  async #waitForServingLeaders(): Promise<void> {
    const topics = topicNames(this.#o.topicPrefix);
    const names = [topics.raw, topics.normalized, topics.deadLetter];
    const admin = this.#o.kafka.admin();
    await admin.connect();
    try {
      await retryRetriable(`Kafka topics ${names.join(', ')} not ready for the producer`, () => assertServingLeaders(admin, names), TOPICS_RETRY_POLICY, {
        signal: this.#starting.signal,
        onRetry: (error, attempts, backoffMs) => {
          this.#o.logger.info({ attempts, backoffMs, reason: (error as Error).message }, 'waiting for Kafka to serve the topics');
        },
      });
    } finally {
      await admin.disconnect();
    }
  }

  async #recall(): Promise<number> {
    const records = await readTail(this.#o.kafka, topicNames(this.#o.topicPrefix).normalized, this.#o.dedupeWindow);
    const events: MarketEvent[] = [];
    let undecodable = 0;
    for (const record of records) {
      try {
        events.push(decodeMarketEvent(record.value));
      } catch {
        undecodable += 1;
      }
    }
    this.#state.commit(events);
    if (records.length > 0) {
      this.#o.logger.info({ events: events.length, undecodable }, 'recalled the events the previous run published');
    }
    return events.length;
  }

  /** Stops intake, flushes what is queued (up to `flushTimeoutMs`), and disconnects from Kafka. Idempotent. */
  stop(flushTimeoutMs: number): Promise<void> {
    this.#starting.abort(new Error('stopped while starting'));
    this.#stopped ??= this.#stop(flushTimeoutMs);
    return this.#stopped;
  }

  async #stop(flushTimeoutMs: number): Promise<void> {
    await this.#connection.stop();
    const left = await this.#publisher.flush(flushTimeoutMs);
    if (left > 0) this.#o.logger.error({ frames: left }, 'shutdown timeout: frames not delivered to Kafka');
    await this.#publisher.stop(1000);
    await this.#kafkaProducer.disconnect();
  }

  /** Counts, logs and queues a frame; false when the queue is full and the frame was dropped. */
  #onFrame(frame: RawFrame, outcome: FrameOutcome): boolean {
    const metrics = this.metrics;
    const logger = this.#o.logger;
    this.#lastFrameAtUs = frame.receivedAtUs;
    metrics.framesReceived.inc({ channel: outcome.channel });
    const letter = outcome.deadLetter;
    if (letter !== null) {
      metrics.invalidFrames.inc({ reason: letter.reason });
      this.#throttle.run(`invalid:${letter.reason}`, (suppressed) => {
        logger.warn({ reason: letter.reason, detail: letter.detail, bytes: letter.payload.length, suppressed }, 'invalid frame sent to the dead-letter topic');
      });
    }
    if (outcome.sequenceGap > 0) {
      metrics.sequenceGaps.inc();
      metrics.sequenceMissedFrames.inc(outcome.sequenceGap);
      logger.warn({ missed: outcome.sequenceGap, connectionId: frame.connectionId }, 'sequence gap: frames lost; gap markers published');
    }
    if (outcome.sequenceReset !== null) {
      metrics.sequenceResets.inc();
      logger.warn(
        { ...outcome.sequenceReset, connectionId: frame.connectionId },
        'sequence numbers restarted lower (a venue-side restart): new baseline; sequence_reset gap markers published',
      );
    }
    if (outcome.duplicateFrame) {
      metrics.duplicateFrames.inc();
      this.#throttle.run('duplicate', (suppressed) => {
        logger.warn({ connectionId: frame.connectionId, channel: outcome.channel, suppressed }, 'repeated sequence number: frame dropped');
      });
    }
    if (outcome.duplicateTrades > 0) metrics.duplicateTrades.inc(outcome.duplicateTrades);
    if (outcome.error !== null) {
      metrics.errorFrames.inc();
      logger.error({ ...outcome.error, connectionId: frame.connectionId }, 'Coinbase sent an error');
    }
    for (const event of outcome.events) {
      if (event.type === 'trade') metrics.exchangeToReceipt.observe(Math.max(0, event.receivedAtUs - event.exchangeTimeUs) / 1e6);
    }

    const queued: QueuedFrame = {
      receivedAtUs: frame.receivedAtUs,
      records: [
        { topic: 'raw', record: rawFrameRecord(frame) },
        ...(letter === null ? [] : [{ topic: 'deadLetter' as const, record: deadLetterRecord(letter) }]),
        ...outcome.events.map((event) => ({ topic: 'normalized' as const, record: marketEventRecord(event) })),
      ],
      events: outcome.events,
    };
    if (this.#queue.offer(queued, queuedFrameBytes(queued))) {
      this.#overflowing = false;
      return true;
    }
    metrics.queueOverflowFrames.inc();
    if (!this.#overflowing) {
      this.#overflowing = true;
      logger.error({ queueBytes: this.#queue.bytes, maxBytes: this.#queue.maxBytes }, 'queue to Kafka is full: dropping frames and resubscribing once it drains');
    }
    this.#connection.dropped();
    return false;
  }

  #onRefusedFrame(connectionId: string, detail: string): void {
    this.metrics.invalidFrames.inc({ reason: 'oversized' });
    this.#o.logger.error({ connectionId, detail }, 'frame refused by the WebSocket transport; connection replaced');
    const receivedAtUs = this.#o.nowUs();
    const letter = deadLetterRecord({
      reason: 'oversized', detail: `${detail}; payload not kept`, origin: this.#o.protocol.source, connectionId,
      receivedAtUs, payload: Buffer.alloc(0),
    });
    const queued: QueuedFrame = { receivedAtUs, records: [{ topic: 'deadLetter', record: letter }], events: [] };
    if (!this.#queue.offer(queued, queuedFrameBytes(queued))) {
      this.metrics.queueOverflowFrames.inc();
      this.#connection.dropped();
    }
  }
}
