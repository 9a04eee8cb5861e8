import { describe, expect, it } from 'vitest';
import { formatTable } from './formatTable.js';

describe('formatTable', () => {
  it('aligns text left and numbers right under a rule', () => {
    expect(formatTable(['run', 'sharpe'], [['a', 1.5], ['long-name', -12.25]])).toBe([
      'run        sharpe',
      '---------  ------',
      'a             1.5',
      'long-name  -12.25',
    ].join('\n'));
  });
});
