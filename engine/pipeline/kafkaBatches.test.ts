import type { ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import type { SourceEnvelope } from './SourceBatch.js';
import { kafkaBatches } from './kafkaBatches.js';

/** A consumer whose `run` hands its `eachBatch` to the test. */
function fakeConsumer() {
  let eachBatch: NonNullable<ConsumerRunConfig['eachBatch']> | null = null;
  return {
    consumer: { run: (config?: ConsumerRunConfig) => { eachBatch = config?.eachBatch ?? null; return Promise.resolve(); } },
    deliver: (resolveOffset: (offset: string) => void) => {
      const payload = {
        batch: { partition: 2, highWatermark: '8', messages: [{ offset: '7', value: Buffer.from('x'), timestamp: '1000', key: null }], lastOffset: () => '7' },
        resolveOffset, heartbeat: () => Promise.resolve(), isStale: () => false, isRunning: () => true,
      } as unknown as EachBatchPayload;
      if (eachBatch === null) throw new Error('run was not called');
      return eachBatch(payload);
    },
  };
}

describe('kafkaBatches', () => {
  it('holds kafkajs until the pipeline is done with a batch, then moves past it', async () => {
    const { consumer, deliver } = fakeConsumer();
    const envelopes: SourceEnvelope[] = [];
    const subscription = kafkaBatches(consumer).subscribe((e) => envelopes.push(e));
    const resolveOffset = vi.fn();
    let handled = false;
    const delivered = deliver(resolveOffset).then(() => { handled = true; });
    await Promise.resolve();
    expect(envelopes.map((e) => e.batch.records.map((r) => r.offset))).toEqual([['7']]);
    expect(handled).toBe(false);
    envelopes[0]?.done();
    await delivered;
    expect(resolveOffset.mock.calls).toEqual([['7']]);
    subscription.unsubscribe();
  });

  it('releases the batch in hand when the pipeline goes away first, without moving past it', async () => {
    const { consumer, deliver } = fakeConsumer();
    const subscription = kafkaBatches(consumer).subscribe(() => undefined);
    const resolveOffset = vi.fn();
    const delivered = deliver(resolveOffset);
    subscription.unsubscribe();
    await delivered;
    expect(resolveOffset, 'the batch was not handled').not.toHaveBeenCalled();
  });
});
