import { describe, expect, it } from 'vitest';
import { TradeDeduplicator } from './TradeDeduplicator.js';

describe('TradeDeduplicator', () => {
  it('remembers (product, trade id) pairs', () => {
    const dedupe = new TradeDeduplicator(10);
    expect(dedupe.has('BTC-USD', '1')).toBe(false);
    dedupe.add('BTC-USD', '1');
    expect(dedupe.has('BTC-USD', '1')).toBe(true);
    expect(dedupe.has('ETH-USD', '1'), 'ids are per product').toBe(false);
  });

  it('forgets the oldest id once the window is full, keeping memory bounded', () => {
    const dedupe = new TradeDeduplicator(3);
    for (const id of ['1', '2', '3', '4']) dedupe.add('BTC-USD', id);
    expect(['1', '2', '3', '4'].map((id) => dedupe.has('BTC-USD', id)), 'id 1 was evicted by id 4').toEqual([false, true, true, true]);
    dedupe.add('BTC-USD', '4');
    expect(dedupe.has('BTC-USD', '2'), 'adding a remembered id evicts nothing').toBe(true);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new TradeDeduplicator(0)).toThrow('capacity must be a positive integer, got 0');
  });
});
