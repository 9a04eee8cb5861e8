import { describe, expect, it } from 'vitest';
import { RetriesExhaustedError, retryRetriable, type RetryClock } from './retryRetriable.js';

/** A clock whose sleeps pass at once, recording their lengths. */
function fakeClock(): RetryClock & { sleeps: number[] } {
  let nowMs = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => nowMs, sleep: (ms) => { sleeps.push(ms); nowMs += ms; return Promise.resolve(); } };
}

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });
const policy = { deadlineMs: 1000, initialBackoffMs: 100, maxBackoffMs: 400 };

describe('retryRetriable', () => {
  it('retries retriable errors with a doubling, capped back-off until an attempt succeeds', async () => {
    const clock = fakeClock();
    let attempts = 0;
    const result = await retryRetriable('x', () => (++attempts < 4 ? Promise.reject(retriable('not yet')) : Promise.resolve('done')), policy, { clock });
    expect([result, attempts, clock.sleeps]).toEqual(['done', 4, [100, 200, 400]]);
  });

  it('gives up when the next back-off would pass the deadline, naming what and the last error', async () => {
    const clock = fakeClock();
    const retries: number[] = [];
    let attempts = 0;
    const outcome = retryRetriable('topics a, b not ready', () => Promise.reject(retriable(`not the leader (${++attempts})`)), policy,
      { clock, onRetry: (_error, n) => { retries.push(n); } });
    const error = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).message).toBe('topics a, b not ready: gave up after 4 attempts in 700 ms; last Kafka error: not the leader (4)');
    expect((error as RetriesExhaustedError).attempts).toBe(4);
    expect([attempts, clock.sleeps, retries], 'attempts at 0, 100, 300, 700 ms; the next would start at 1100').toEqual([4, [100, 200, 400], [1, 2, 3]]);
  });

  it('stops retrying once its signal aborts, with the signal\'s reason', async () => {
    const clock = fakeClock();
    const stopping = new AbortController();
    let attempts = 0;
    const outcome = retryRetriable('x', () => {
      if (++attempts === 2) stopping.abort(new Error('stopping'));
      return Promise.reject(retriable('not yet'));
    }, policy, { clock, signal: stopping.signal });
    await expect(outcome, 'the error of the attempt it was aborted in').rejects.toThrow('not yet');
    expect(attempts).toBe(2);
    await expect(retryRetriable('x', () => Promise.resolve(1), policy, { clock, signal: stopping.signal })).rejects.toThrow('stopping');
  });

  it('lets a non-retriable error through at once, unchanged', async () => {
    const clock = fakeClock();
    const error = new Error('Configuration is invalid');
    let attempts = 0;
    await expect(retryRetriable('x', () => { attempts++; return Promise.reject(error); }, policy, { clock })).rejects.toBe(error);
    expect(attempts).toBe(1);
  });
});
