import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './BoundedQueue.js';

describe('BoundedQueue', () => {
  it('refuses an item that would take it past its byte bound, and counts items until removed', () => {
    const queue = new BoundedQueue<string>(100);
    expect(queue.offer('a', 60)).toBe(true);
    expect(queue.offer('b', 40)).toBe(true);
    expect(queue.offer('c', 1)).toBe(false);
    expect([queue.length, queue.bytes]).toEqual([2, 100]);
    expect(queue.peek(1000), 'peeking removes nothing').toEqual(['a', 'b']);
    queue.remove(1);
    expect([queue.length, queue.bytes]).toEqual([1, 40]);
    expect(queue.offer('c', 60)).toBe(true);
  });

  it('takes an item larger than its bound when empty, so one large frame cannot block it', () => {
    const queue = new BoundedQueue<string>(10);
    expect(queue.offer('huge', 50)).toBe(true);
    expect(queue.offer('small', 1)).toBe(false);
  });

  it('peeks the oldest items that fit a batch, at least one', () => {
    const queue = new BoundedQueue<number>(1000);
    for (const [item, bytes] of [[1, 30], [2, 30], [3, 30], [4, 500]] as const) queue.offer(item, bytes);
    expect(queue.peek(70)).toEqual([1, 2]);
    expect(queue.peek(10), 'the first item even if it alone is larger').toEqual([1]);
    expect(queue.peek(1000, 3)).toEqual([1, 2, 3]);
  });

  it('keeps FIFO order across many removals', () => {
    const queue = new BoundedQueue<number>(1e9);
    for (let i = 0; i < 5000; i++) queue.offer(i, 1);
    const out: number[] = [];
    while (queue.length > 0) {
      const batch = queue.peek(7);
      out.push(...batch);
      queue.remove(batch.length);
    }
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(queue.bytes).toBe(0);
  });

  it('wakes waiters when their condition becomes true', async () => {
    const queue = new BoundedQueue<string>(100);
    const events: string[] = [];
    const notEmpty = queue.whenNotEmpty().then(() => events.push('not empty'));
    queue.offer('a', 80);
    await notEmpty;
    const below = queue.whenBelow(0.5).then(() => events.push('below half'));
    const empty = queue.whenEmpty().then(() => events.push('empty'));
    await Promise.resolve();
    expect(events).toEqual(['not empty']);
    queue.remove(1);
    await Promise.all([below, empty]);
    expect(events).toEqual(['not empty', 'below half', 'empty']);
  });
});
