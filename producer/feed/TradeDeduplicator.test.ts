import { describe, expect, it } from 'vitest';
import { TradeDeduplicator } from './TradeDeduplicator.js';

describe('TradeDeduplicator', () => {
  it('admits a (product, trade id) pair once', () => {
    const dedupe = new TradeDeduplicator(10);
    expect(dedupe.admit('BTC-USD', '1')).toBe(true);
    expect(dedupe.admit('BTC-USD', '1')).toBe(false);
    expect(dedupe.admit('ETH-USD', '1'), 'ids are per product').toBe(true);
  });

  it('forgets the oldest id once the window is full, keeping memory bounded', () => {
    const dedupe = new TradeDeduplicator(3);
    for (const id of ['1', '2', '3', '4']) expect(dedupe.admit('BTC-USD', id)).toBe(true);
    expect(dedupe.admit('BTC-USD', '1'), 'id 1 was evicted by id 4').toBe(true);
    expect(dedupe.admit('BTC-USD', '3')).toBe(false);
    expect(dedupe.admit('BTC-USD', '4')).toBe(false);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new TradeDeduplicator(0)).toThrow('capacity must be a positive integer, got 0');
  });
});
