import { Worker } from 'node:worker_threads';
import type { SkippedCandles } from '../engine/core/EngineCore.js';
import type { ReplayOutcome } from './runReplay.js';
import type { PartitionRange } from './replayRange.js';
import type { ReplayMainMessage, ReplayWorkerData, ReplayWorkerMessage } from './replayWorkerProtocol.js';

export interface ReplayWorkersOptions {
  /** The replay's command line: each worker plans the run from it (and the environment) as the main thread did. */
  readonly argv: readonly string[];
  readonly runId: string;
  /** One share of the partitions per worker ({@link shareRanges}), none empty. */
  readonly shares: readonly (readonly PartitionRange[])[];
  /** Offsets read so far of all shares, of `total`. */
  readonly onProgress?: (read: bigint, total: bigint) => void;
  /** Resolves to stop early (Ctrl-C): every worker commits what it read. */
  readonly interrupted?: Promise<void>;
  /** As {@link runReplay}'s: with the products any worker has seen so far; workers wait for it. */
  readonly onHandled?: (productsSeen: ReadonlySet<string>) => Promise<void>;
}

/**
 * A replay on several engine threads (`replay/replayWorker.js`), one per share of the partitions, each
 * reading its share through {@link runReplay} with a consumer group and checkpoints of its own
 * (`<run id>-w<n>`), all writing results under the one run id. A partition's products never interact with
 * another partition's, so the results equal a single thread's. When a worker fails, the others are
 * interrupted (they commit what they read) and the first failure is thrown once all have ended.
 */
export async function runReplayWorkers(o: ReplayWorkersOptions): Promise<ReplayOutcome> {
  const total = o.shares.flat().reduce((n, r) => n + (r.end - r.start), 0n);
  const read = o.shares.map(() => 0n);
  const seen = new Set<string>();
  let handling = Promise.resolve();
  // Typed by assertion: set in callbacks, so flow analysis would take it for null where it is read.
  let failure = null as Error | null;
  const workers: Worker[] = [];
  const interruptAll = () => { for (const w of workers) w.postMessage({ kind: 'interrupt' } satisfies ReplayMainMessage); };
  void o.interrupted?.then(interruptAll);

  const outcomes = await Promise.all(o.shares.map((ranges, i) => new Promise<ReplayOutcome | null>((resolve) => {
    const data: ReplayWorkerData = { argv: o.argv, runId: o.runId, group: `${o.runId}-w${i + 1}`, ranges };
    const worker = new Worker(new URL('./replayWorker.js', import.meta.url), { workerData: data });
    workers.push(worker);
    let outcome: ReplayOutcome | null = null;
    const fail = (error: Error) => {
      failure ??= error;
      interruptAll();
    };
    worker.on('message', (message: ReplayWorkerMessage) => {
      if (message.kind === 'progress') {
        read[i] = message.read;
        o.onProgress?.(read.reduce((a, b) => a + b, 0n), total);
      } else if (message.kind === 'seen') {
        for (const p of message.products) seen.add(p);
        // One at a time, in arrival order: the run is recorded once, before any worker goes on.
        handling = handling.then(() => o.onHandled?.(seen)).then(
          () => { worker.postMessage({ kind: 'handled' } satisfies ReplayMainMessage); },
          (error: unknown) => { fail(error as Error); worker.postMessage({ kind: 'handled' } satisfies ReplayMainMessage); },
        );
      } else if (message.kind === 'done') {
        outcome = { records: message.records, complete: message.complete, skippedCandles: message.skippedCandles, productsSeen: new Set(message.productsSeen) };
        // Its work is over (committed, its pool and consumer closed); its port alone would keep it alive.
        void worker.terminate();
      } else {
        const error = new Error(message.message);
        if (message.stack !== undefined) error.stack = message.stack;
        fail(error);
        void worker.terminate();
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (outcome === null && failure === null) fail(new Error(`replay worker ${i + 1} exited (status ${code}) without reporting its end`));
      resolve(outcome);
    });
  })));
  await handling;
  if (failure !== null) throw failure;
  const done = outcomes.filter((x): x is ReplayOutcome => x !== null);
  return {
    records: done.reduce((n, x) => n + x.records, 0),
    complete: done.every((x) => x.complete),
    skippedCandles: done.flatMap((x): readonly SkippedCandles[] => x.skippedCandles),
    productsSeen: new Set(done.flatMap((x) => [...x.productsSeen])),
  };
}
