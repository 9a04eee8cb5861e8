import { catchError, concatMap, defer, EMPTY, type Observable, tap } from 'rxjs';
import type { SourceBatch, SourceEnvelope } from './SourceBatch.js';

/**
 * The engine's pipeline: batches from any source (live Kafka, a replay, a test), handled one at a time in
 * arrival order. A batch is acknowledged to its source only when its handling finished, and the source sends
 * nothing before that, so a slow sink (a database outage) pauses consumption instead of growing memory. A
 * batch whose handling fails is reported to its source (which retries it) without ending the pipeline.
 */
export function runPipeline(envelopes$: Observable<SourceEnvelope>, handle: (batch: SourceBatch) => Promise<void>): Observable<SourceBatch> {
  return envelopes$.pipe(
    concatMap((envelope) => defer(async () => {
      await handle(envelope.batch);
      return envelope.batch;
    }).pipe(
      tap(() => { envelope.done(); }),
      catchError((error: unknown) => {
        envelope.fail(error);
        return EMPTY;
      }),
    )),
  );
}
