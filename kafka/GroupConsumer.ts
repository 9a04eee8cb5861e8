import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, ConsumerConfig, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from 'pino';
import { ConnectionGate } from './ConnectionGate.js';
import { createKafka } from './createKafka.js';
import { isCoordinatorNotFound } from './isCoordinatorNotFound.js';

/**
 * The client's retries give up after about 5 s (8, backing off to 1 s): kafkajs then crashes the consumer
 * and restarts it, so longer chains would only keep a stopped consumer's process alive (a retry in flight
 * goes on after its connections are cut, and its timers hold the process) for as long as they last.
 */
const RETRY = { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 } as const;
/**
 * How long after a crash kafkajs does not restart from, but this consumer does, it joins the group again: 1 s,
 * doubling while such crashes follow each other (a coordinator that stays unreachable), up to 30 s.
 */
const COORDINATOR_RESTART_MS = { first: 1000, max: 30_000 } as const;
/**
 * How long such crashes may follow each other without a join before the consumer gives up (`onFatal`): a broker
 * restart ends within it; a coordinator that never comes (FindCoordinator refused by an ACL, or
 * `__consumer_offsets` that cannot be created) must not keep a process waiting forever.
 */
const COORDINATOR_GIVE_UP_MS = 5 * 60_000;

export interface GroupConsumerOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  readonly config: Omit<ConsumerConfig, 'retry'>;
  /** How long `close()` lets kafkajs finish the batch in hand and leave the group before cutting its connections. */
  readonly leaveTimeoutMs: number;
  /** kafkajs gave up (a crash neither it nor this consumer restarts from) while not closing: this consumer is dead. */
  readonly onFatal: (error: Error) => void;
}

/**
 * A kafkajs consumer-group member (with a client of its own) whose stop is final, whatever the group is
 * doing at the time. kafkajs 2.2.4 alone does not guarantee it:
 * - `consumer.stop()` while the consumer is joining (start-up, or a restart after a crash) returns at once
 *   and forgets the joining runner, which finishes its join later and consumes for nobody
 *   (tulios/kafkajs#1639);
 * - `disconnect()` waits for requests in flight, and a JoinGroup waits at the coordinator until every
 *   member rejoined or a dead member's session expired;
 * - a crash around the stop schedules a restart that joins the group again (the consumer's retry
 *   `restartOnFailure`), and a rebalance seen while stopping rejoins (tulios/kafkajs#1571, unreleased).
 * So `close()` refuses restarts, gives kafkajs `leaveTimeoutMs` to stop and leave, then closes the client's
 * {@link ConnectionGate}: requests in flight (a parked JoinGroup) fail, no connection can be opened again,
 * and whatever kafkajs still runs ends in errors instead of a rejoin. Assignments are not reported once
 * closing. Without a leave, the group moves this member's partitions when its session times out.
 *
 * The other way round, kafkajs stops for good when it cannot find the group's coordinator, which happens
 * during a broker restart ({@link isCoordinatorNotFound}): this consumer runs again after
 * {@link COORDINATOR_RESTART_MS}, as kafkajs does after its retriable crashes, for up to
 * {@link COORDINATOR_GIVE_UP_MS} without a join.
 */
export class GroupConsumer {
  readonly consumer: Consumer;
  readonly #o: GroupConsumerOptions;
  readonly #gate = new ConnectionGate();
  #closing: Promise<void> | null = null;
  #runConfig: ConsumerRunConfig | null = null;
  #restart: NodeJS.Timeout | undefined;
  #restartInMs: number = COORDINATOR_RESTART_MS.first;
  /** Wall time of the first of the coordinator crashes since the last join; null once joined. */
  #coordinatorLostAtMs: number | null = null;

  constructor(options: GroupConsumerOptions) {
    this.#o = options;
    const kafka = createKafka(options.clientId, options.brokers, options.logger, {
      socketFactory: this.#gate.socketFactory, retry: RETRY, stopping: () => this.isClosing(),
    });
    this.consumer = kafka.consumer({ ...options.config, retry: { restartOnFailure: () => Promise.resolve(!this.isClosing()) } });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.isClosing()) return;
      if (isCoordinatorNotFound(payload.error) && this.#runConfig !== null) this.#runAgain(this.#runConfig, payload.error);
      else options.onFatal(payload.error);
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.#restartInMs = COORDINATOR_RESTART_MS.first;
      this.#coordinatorLostAtMs = null;
    });
  }

  /** kafkajs has stopped and disconnected when it reports the crash, so `run` starts a new member that joins afresh. */
  #runAgain(config: ConsumerRunConfig, error: Error): void {
    const lostAtMs = (this.#coordinatorLostAtMs ??= Date.now());
    if (Date.now() - lostAtMs >= COORDINATOR_GIVE_UP_MS) {
      this.#o.onFatal(new Error(`Kafka has had no coordinator for the consumer group for ${COORDINATOR_GIVE_UP_MS / 60_000} minutes (${error.message})`, { cause: error }));
      return;
    }
    const restartInMs = this.#restartInMs;
    this.#restartInMs = Math.min(restartInMs * 2, COORDINATOR_RESTART_MS.max);
    this.#o.logger.warn({ err: error, restartInMs },
      `Kafka has no coordinator for the consumer group yet (a broker restarting?): joining again in ${restartInMs} ms`);
    this.#restart = setTimeout(() => {
      if (!this.isClosing()) this.consumer.run(config).catch((e: unknown) => { this.#o.onFatal(e instanceof Error ? e : new Error(String(e))); });
    }, restartInMs);
  }

  /** A call, not a field read: it changes across awaits, which narrowing cannot see. */
  isClosing(): boolean {
    return this.#closing !== null;
  }

  connect(): Promise<void> {
    if (this.isClosing()) return Promise.reject(new Error('the consumer is closed'));
    return this.consumer.connect();
  }

  /** kafkajs's `run`, unless closing (a consumer closed while its program was starting never starts). */
  run(config: ConsumerRunConfig): Promise<void> {
    if (this.isClosing()) return Promise.resolve();
    this.#runConfig = config;
    return this.consumer.run(config);
  }

  /** Each new assignment of the group (partitions per topic); none once closing. */
  onAssignment(listener: (assignment: Readonly<Record<string, number[]>>) => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      if (!this.isClosing()) listener(payload.memberAssignment);
    });
  }

  /** The group started a rebalance (the assignment is about to change); not reported once closing. */
  onRebalancing(listener: () => void): void {
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      if (!this.isClosing()) listener();
    });
  }

  /** Stops consuming, leaves the group if it can within `leaveTimeoutMs`, and disconnects for good. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const { logger, leaveTimeoutMs } = this.#o;
    clearTimeout(this.#restart);
    const stopped = await Promise.race([
      this.consumer.stop().then(() => true, () => true),
      sleep(leaveTimeoutMs, false, { ref: false }),
    ]);
    if (!stopped) logger.warn({ leaveTimeoutMs }, 'the consumer did not stop within its leave timeout (a rebalance, or Kafka unreachable): closing its connections');
    this.#gate.close();
    // Its connections closed, kafkajs's stop ends as soon as a retry in flight (an outage) gives up.
    await Promise.race([this.consumer.disconnect().catch(() => undefined), sleep(leaveTimeoutMs, undefined, { ref: false })]);
  }
}
