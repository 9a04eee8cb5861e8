import { describe, expect, it } from 'vitest';
import { TULIP_INPUT, TULIP_RSI_5 } from '../fixtures/tulipReference.js';
import { testIndicatorContract } from '../testing/testIndicatorContract.js';
import { RSI } from './RSI.js';

testIndicatorContract('RSI(14)', (snapshot) => new RSI(14, snapshot));

describe('RSI', () => {
  it('matches Tulip Indicators\' rsi 5', { tags: ['tulipindicators'] }, () => {
    const rsi = new RSI(5);
    const results = TULIP_INPUT.map((x) => rsi.update(x)).slice(5);
    expect(results).toHaveLength(TULIP_RSI_5.length);
    results.forEach((value, i) => { expect(value, `output ${i}`).toBeCloseTo(TULIP_RSI_5[i]!, 3); });
  });

  it('is 100 after only gains, 0 after only losses, 50 when flat', () => {
    const feed = (xs: number[]) => { const rsi = new RSI(3); xs.forEach((x) => rsi.update(x)); return rsi.result; };
    expect(feed([1, 2, 3, 4, 5])).toBe(100);
    expect(feed([5, 4, 3, 2, 1])).toBe(0);
    expect(feed([2, 2, 2, 2, 2])).toBe(50);
  });
});
