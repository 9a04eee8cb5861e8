import type { Consumer } from 'kafkajs';
import { Observable } from 'rxjs';
import type { SourceEnvelope } from './SourceBatch.js';

/**
 * A kafkajs consumer's batches as an Observable. Each `eachBatch` call waits until its envelope is done, so
 * kafkajs fetches nothing further for the consumer until the pipeline has handled the batch (one partition
 * at a time). Offsets are only resolved (kafkajs's fetch position), not committed: the engine keeps them in
 * its checkpoints.
 */
export function kafkaBatches(consumer: Pick<Consumer, 'run'>): Observable<SourceEnvelope> {
  return new Observable<SourceEnvelope>((subscriber) => {
    let active = true;
    // A call, not a read: `active` changes in the teardown, which narrowing cannot see.
    const isActive = () => active;
    // The batch in hand, released when the pipeline goes away first (kafkajs would otherwise wait for it).
    let release: (() => void) | null = null;
    consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!active) return;
        const records = batch.messages.map((m) => ({
          partition: batch.partition, offset: m.offset, value: m.value, timestampMs: Number(m.timestamp), key: m.key?.toString() ?? null,
        }));
        await new Promise<void>((resolve, reject) => {
          release = resolve;
          subscriber.next({
            batch: {
              partition: batch.partition, records, highWatermark: batch.highWatermark,
              heartbeat: () => payload.heartbeat(),
              isStale: () => payload.isStale() || !payload.isRunning(),
            },
            done: resolve,
            fail: reject,
          });
        }).finally(() => { release = null; });
        // Moves kafkajs's fetch position past the handled batch (unless a seek moved it elsewhere meanwhile).
        if (isActive() && !payload.isStale() && batch.messages.length > 0) payload.resolveOffset(batch.lastOffset());
      },
    }).catch((error: unknown) => { subscriber.error(error); });
    return () => {
      active = false;
      release?.();
    };
  });
}
