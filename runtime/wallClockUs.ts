import { performance } from 'node:perf_hooks';

/** The wall clock in integer microseconds since the Unix epoch (receipt and latency stamps, never event time). */
export function wallClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
