import { describe, expect, it } from 'vitest';
import { SequenceTracker } from './SequenceTracker.js';

describe('SequenceTracker', () => {
  const at = (value: number, stream = 'connection', consecutive = true, first: number | null = null, reorderWindow = 10) =>
    ({ stream, value, consecutive, first, reorderWindow, productId: null });

  it('takes the first number of a stream as its baseline when the protocol defines no start', () => {
    expect(new SequenceTracker().check(at(1851))).toEqual({ kind: 'in_order' });
  });

  it('notices frames lost before the first one when the protocol numbers from a known start', () => {
    expect(new SequenceTracker().check(at(0, 'connection', true, 0))).toEqual({ kind: 'in_order' });
    expect(new SequenceTracker().check(at(3, 'connection', true, 0))).toEqual({ kind: 'gap', missed: 3 });
  });

  it('counts the frames missing from a consecutive stream', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(0));
    expect(tracker.check(at(1))).toEqual({ kind: 'in_order' });
    expect(tracker.check(at(5))).toEqual({ kind: 'gap', missed: 3 });
    expect(tracker.check(at(6))).toEqual({ kind: 'in_order' });
  });

  it('flags repeated and older numbers as duplicates without moving the baseline', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(7));
    expect(tracker.check(at(7))).toEqual({ kind: 'duplicate' });
    expect(tracker.check(at(3))).toEqual({ kind: 'duplicate' });
    expect(tracker.check(at(8))).toEqual({ kind: 'in_order' });
  });

  it('takes a step back beyond the reorder window as a restart of the numbering: Advanced Trade 1852 → 0', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(1851, 'connection', true, 0));
    tracker.check(at(1852, 'connection', true, 0));
    expect(tracker.check(at(0, 'connection', true, 0))).toEqual({ kind: 'reset', from: 1852, to: 0 });
    expect(tracker.check(at(1, 'connection', true, 0)), 'the new numbering is the baseline').toEqual({ kind: 'in_order' });
    expect(tracker.check(at(3, 'connection', true, 0)), 'and gaps are counted from it').toEqual({ kind: 'gap', missed: 1 });
  });

  it('takes the Exchange match sequence 26941144 → 624086 as a restart (window 10 000)', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(26_941_144, 'matches:BTC-USD', false, null, 10_000));
    expect(tracker.check(at(624_086, 'matches:BTC-USD', false, null, 10_000))).toEqual({ kind: 'reset', from: 26_941_144, to: 624_086 });
    expect(tracker.check(at(624_100, 'matches:BTC-USD', false, null, 10_000))).toEqual({ kind: 'in_order' });
  });

  it('after a restart on one stream of a product, takes the next number of its other streams as their baseline', () => {
    const tracker = new SequenceTracker();
    const of = (stream: string, value: number, productId = 'BTC-USD') => ({ stream, value, consecutive: false, first: null, reorderWindow: 10_000, productId });
    tracker.check(of('matches:BTC-USD', 26_941_144));
    tracker.check(of('ticker:BTC-USD', 26_941_146));
    tracker.check(of('ticker:ETH-USD', 26_941_146, 'ETH-USD'));
    expect(tracker.check(of('matches:BTC-USD', 624_086)).kind).toBe('reset');
    expect(tracker.check(of('ticker:BTC-USD', 624_088)), 'one restart, reported once').toEqual({ kind: 'in_order' });
    expect(tracker.check(of('ticker:ETH-USD', 624_088, 'ETH-USD')), 'another product is not affected').toEqual({ kind: 'reset', from: 26_941_146, to: 624_088 });
  });

  it('drops a step back within the window as a late frame, but never one that brings new trades', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(100));
    expect(tracker.check(at(90)), 'exactly the window: late').toEqual({ kind: 'duplicate' });
    expect(tracker.check(at(89)), 'one more: a restart').toEqual({ kind: 'reset', from: 100, to: 89 });
    expect(tracker.check(at(85)), 'within the window of the new baseline').toEqual({ kind: 'duplicate' });
    expect(tracker.check(at(85), true), 'a trade never published is not a repeat').toEqual({ kind: 'reset', from: 89, to: 85 });
  });

  it('never reports gaps on monotonic streams, and keeps streams apart', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(10, 'a', false));
    expect(tracker.check(at(500, 'a', false))).toEqual({ kind: 'in_order' });
    expect(tracker.check(at(20, 'b', false)), 'stream b has its own baseline').toEqual({ kind: 'in_order' });
  });
});
