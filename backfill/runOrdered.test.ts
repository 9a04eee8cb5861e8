import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOrdered } from './runOrdered.js';

describe('runOrdered', () => {
  it('fetches ahead in parallel but writes in item order', async () => {
    const written: number[] = [];
    let inFlight = 0;
    let most = 0;
    await runOrdered({
      next: (k) => (k < 8 ? k : null),
      fetch: async (k) => { inFlight++; most = Math.max(most, inFlight); await sleep((8 - k) * 3); inFlight--; return k * 10; },
      write: (r) => { written.push(r); return Promise.resolve(true); },
      lookahead: 3, stopped: () => false,
    });
    expect(written).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it('writes nothing after a failed fetch, and rethrows its error', async () => {
    const written: number[] = [];
    await expect(runOrdered({
      next: (k) => (k < 6 ? k : null),
      fetch: (k) => (k === 2 ? Promise.reject(new Error('page 2 failed')) : Promise.resolve(k)),
      write: (r) => { written.push(r); return Promise.resolve(true); },
      lookahead: 4, stopped: () => false,
    })).rejects.toThrow('page 2 failed');
    expect(written).toEqual([0, 1]);
  });

  it('stops when write says so', async () => {
    const fetched: number[] = [];
    await runOrdered({
      next: (k) => k, fetch: (k) => { fetched.push(k); return Promise.resolve(k); },
      write: (r) => Promise.resolve(r < 4), lookahead: 2, stopped: () => false,
    });
    expect(Math.max(...fetched)).toBeLessThanOrEqual(6);
  });
});
