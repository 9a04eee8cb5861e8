import { describe, expect, it } from 'vitest';
import { TULIP_BBANDS_5_2, TULIP_INPUT } from '../fixtures/tulipReference.js';
import { testIndicatorContract } from '../testing/testIndicatorContract.js';
import { BollingerBands } from './BollingerBands.js';

testIndicatorContract('BollingerBands(20, 2)', (snapshot) => new BollingerBands(20, 2, snapshot));

describe('BollingerBands', () => {
  it('matches Tulip Indicators\' bbands 5 2', { tags: ['tulipindicators'] }, () => {
    const bands = new BollingerBands(5, 2);
    const results = TULIP_INPUT.map((x) => bands.update(x)).slice(4);
    expect(results).toHaveLength(TULIP_BBANDS_5_2.middle.length);
    results.forEach((b, i) => {
      expect(b?.lower, `lower ${i}`).toBeCloseTo(TULIP_BBANDS_5_2.lower[i]!, 3);
      expect(b?.middle, `middle ${i}`).toBeCloseTo(TULIP_BBANDS_5_2.middle[i]!, 3);
      expect(b?.upper, `upper ${i}`).toBeCloseTo(TULIP_BBANDS_5_2.upper[i]!, 3);
    });
  });

  it('uses the population deviation: 10, 10, 13 has deviation √2, not the sample deviation √3', () => {
    const bands = new BollingerBands(3, 1);
    for (const x of [10, 10, 13]) bands.update(x);
    expect(bands.result?.deviation).toBe(Math.SQRT2);
  });

  it('has zero width on flat prices, exactly', () => {
    const bands = new BollingerBands(4, 2);
    for (let i = 0; i < 6; i++) bands.update(101.3);
    expect(bands.result).toEqual({ lower: 101.3, middle: 101.3, upper: 101.3, deviation: 0 });
  });
});
