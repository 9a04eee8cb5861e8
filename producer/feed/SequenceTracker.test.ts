import { describe, expect, it } from 'vitest';
import { SequenceTracker } from './SequenceTracker.js';

describe('SequenceTracker', () => {
  const at = (value: number, stream = 'connection', consecutive = true, first: number | null = null) => ({ stream, value, consecutive, first });

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

  it('never reports gaps on monotonic streams, and keeps streams apart', () => {
    const tracker = new SequenceTracker();
    tracker.check(at(10, 'a', false));
    expect(tracker.check(at(500, 'a', false))).toEqual({ kind: 'in_order' });
    expect(tracker.check(at(20, 'b', false)), 'stream b has its own baseline').toEqual({ kind: 'in_order' });
  });
});
