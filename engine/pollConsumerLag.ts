import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics/engineMetrics.js';
import { consumerLag, type PartitionPosition } from './consumerLag.js';

export interface ConsumerLagPollOptions {
  readonly admin: Pick<Admin, 'fetchTopicOffsets'>;
  readonly topic: string;
  /** The partitions this engine owns, with its next offset in each. */
  readonly positions: () => readonly PartitionPosition[];
  readonly startFrom: 'earliest' | 'latest';
  readonly gauge: EngineMetrics['consumerLag'];
  readonly everyMs: number;
  readonly logger: Logger;
}

export interface ConsumerLagPoll {
  /** Records waiting in the owned partitions at the last successful poll; null before the first. */
  readonly waitingRecords: () => number | null;
  readonly stop: () => void;
}

/**
 * Sets the lag gauge from the broker's end offsets every `everyMs`, so that it keeps growing while no batch
 * is delivered (a batch only updates it when one arrives). A Kafka error is logged at debug and the poll
 * tried again next time: the gauge then keeps its last value.
 */
export function pollConsumerLag(o: ConsumerLagPollOptions): ConsumerLagPoll {
  let waiting: number | null = null;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const ends = await o.admin.fetchTopicOffsets(o.topic);
      // Positions after the ends: a record processed meanwhile lowers the lag rather than raising it.
      const lag = consumerLag(ends, o.positions(), o.startFrom);
      for (const [partition, records] of lag) o.gauge.set({ partition: String(partition) }, records);
      waiting = [...lag.values()].reduce((sum, n) => sum + n, 0);
    } catch (error) {
      o.logger.debug({ err: error, topic: o.topic }, 'reading the end offsets for the consumer lag failed; retrying at the next poll');
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => { void poll(); }, o.everyMs);
  timer.unref();
  return { waitingRecords: () => waiting, stop: () => { clearInterval(timer); } };
}
