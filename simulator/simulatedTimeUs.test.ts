import { describe, expect, it } from 'vitest';
import { catchUpUs, simulatedTimeUs } from './simulatedTimeUs.js';

const S = 1_000_000;
const options = { wallStartUs: 1000 * S, historyUs: 600 * S, speed: 11 };

describe('simulatedTimeUs', () => {
  it('opens the market its history in the past and plays it `speed` times as fast', () => {
    expect(simulatedTimeUs(1000 * S, options)).toBe(400 * S);
    expect(simulatedTimeUs(1010 * S, options)).toBe(510 * S);
  });

  it('catches up with the wall clock, then runs with it and never ahead', () => {
    expect(catchUpUs(options)).toBe(60 * S);
    expect(simulatedTimeUs(1060 * S, options)).toBe(1060 * S);
    expect(simulatedTimeUs(2000 * S, options)).toBe(2000 * S);
  });

  it('runs in real time with no history, and never catches up at speed 1', () => {
    expect(simulatedTimeUs(1234 * S, { ...options, historyUs: 0 })).toBe(1234 * S);
    expect(catchUpUs({ historyUs: 0, speed: 1 })).toBe(0);
    expect(simulatedTimeUs(5000 * S, { ...options, speed: 1 })).toBe(4400 * S);
    expect(catchUpUs({ historyUs: S, speed: 1 })).toBe(Number.POSITIVE_INFINITY);
  });
});
