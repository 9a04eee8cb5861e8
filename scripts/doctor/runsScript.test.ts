import { describe, expect, it } from 'vitest';
import { runsScript } from './runsScript.js';

describe('runsScript', () => {
  const ours = ['/home/ana/crypto/dist/producer/main.js', '/srv/ana/crypto/dist/producer/main.js'];

  it('recognises this checkout\'s script, run by a relative path from its root or by its absolute path', () => {
    expect(runsScript(['node', 'dist/producer/main.js'], '/home/ana/crypto', ours), 'make producer').toBe(true);
    expect(runsScript(['/usr/bin/node', '/home/ana/crypto/dist/producer/main.js'], '/tmp', ours), 'the demo').toBe(true);
    expect(runsScript(['node', '/srv/ana/crypto/dist/scripts/../producer/main.js'], '/', ours), 'the resolved checkout').toBe(true);
  });

  it('does not take another checkout\'s producer for this one\'s', () => {
    expect(runsScript(['node', 'dist/producer/main.js'], '/home/bob/crypto', ours)).toBe(false);
    expect(runsScript(['node', '/home/bob/crypto/dist/producer/main.js'], '/home/ana/crypto', ours)).toBe(false);
    expect(runsScript(['node', 'dist/producer/main.js'], null, ours), 'working directory unreadable').toBe(false);
  });

  it('looks at the arguments, not at the program that runs them', () => {
    expect(runsScript(['/home/ana/crypto/dist/producer/main.js'], '/', ours)).toBe(false);
  });
});
