import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runPipeline } from './runPipeline.js';
import type { SourceBatch, SourceEnvelope } from './SourceBatch.js';

function envelope(partition: number, log: string[]): SourceEnvelope {
  const batch: SourceBatch = { partition, records: [], highWatermark: '0', heartbeat: () => Promise.resolve(), isStale: () => false };
  return { batch, done: () => { log.push(`done ${partition}`); }, fail: (e) => { log.push(`fail ${partition}: ${String(e)}`); } };
}

describe('runPipeline', () => {
  it('handles batches one at a time, in order, acknowledging each only once handled', async () => {
    const log: string[] = [];
    const source = new Subject<SourceEnvelope>();
    const releases: (() => void)[] = [];
    const handled: number[] = [];
    runPipeline(source, (batch) => {
      log.push(`start ${batch.partition}`);
      return new Promise<void>((resolve) => releases.push(() => { log.push(`end ${batch.partition}`); resolve(); }));
    }).subscribe((b) => handled.push(b.partition));
    source.next(envelope(1, log));
    source.next(envelope(2, log));
    await Promise.resolve();
    expect(log, 'the second batch waits for the first').toEqual(['start 1']);
    releases[0]!();
    await new Promise((r) => setImmediate(r));
    releases[1]!();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start 1', 'end 1', 'done 1', 'start 2', 'end 2', 'done 2']);
    expect(handled).toEqual([1, 2]);
  });

  it('reports a failed batch to its source and goes on with the next', async () => {
    const log: string[] = [];
    const source = new Subject<SourceEnvelope>();
    runPipeline(source, (batch) => (batch.partition === 1 ? Promise.reject(new Error('boom')) : Promise.resolve())).subscribe();
    source.next(envelope(1, log));
    source.next(envelope(2, log));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['fail 1: Error: boom', 'done 2']);
  });

});
