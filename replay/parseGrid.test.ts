import { describe, expect, it } from 'vitest';
import { GridSyntaxError, parseGrid } from './parseGrid.js';

describe('parseGrid', () => {
  it('expands ranges with steps into every combination, the last name fastest', () => {
    expect(parseGrid('fast=5..10:5,slow=20..40:10')).toEqual([
      { fast: 5, slow: 20 }, { fast: 5, slow: 30 }, { fast: 5, slow: 40 },
      { fast: 10, slow: 20 }, { fast: 10, slow: 30 }, { fast: 10, slow: 40 },
    ]);
    expect(parseGrid('fast=5..20:5,slow=20..60:10')).toHaveLength(20);
  });

  it('takes lists of numbers, booleans and strings, and steps without drift', () => {
    expect(parseGrid('period=7|14,allowShort=true|false')).toEqual([
      { period: 7, allowShort: true }, { period: 7, allowShort: false }, { period: 14, allowShort: true }, { period: 14, allowShort: false },
    ]);
    expect(parseGrid('k=1..1.3:0.1')).toEqual([{ k: 1 }, { k: 1.1 }, { k: 1.2 }, { k: 1.3 }]);
    expect(parseGrid('mode=fast|slow')).toEqual([{ mode: 'fast' }, { mode: 'slow' }]);
  });

  it.each([
    ['fast', '"fast" is not name=from..to[:step] or name=a|b|c'],
    ['fast=10..5', 'fast: "10..5" runs backwards'],
    ['fast=1..5:0', 'fast: "1..5:0" needs a positive step'],
    ['fast=1|,slow=2', 'fast: empty value in "1|"'],
    ['fast=1,fast=2', 'fast appears twice'],
    ['a=1..100,b=1..101', '10100 combinations (at most 10 000)'],
  ])('rejects %s', (text, message) => {
    expect(() => parseGrid(text)).toThrow(GridSyntaxError);
    expect(() => parseGrid(text)).toThrow(message);
  });
});
