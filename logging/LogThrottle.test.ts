import { describe, expect, it } from 'vitest';
import { LogThrottle } from './LogThrottle.js';

describe('LogThrottle', () => {
  it('logs once per key per interval and reports how many lines it held back', () => {
    let now = 0;
    const throttle = new LogThrottle(1000, () => now);
    const lines: string[] = [];
    const log = (key: string) => { throttle.run(key, (suppressed) => lines.push(`${key}:${suppressed}`)); };
    log('a'); log('a'); log('b'); now = 999; log('a'); now = 1000; log('a'); log('b');
    expect(lines).toEqual(['a:0', 'b:0', 'a:2', 'b:0']);
  });
});
