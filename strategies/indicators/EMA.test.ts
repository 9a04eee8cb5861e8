import { describe, expect, it } from 'vitest';
import { TULIP_EMA_5, TULIP_INPUT } from '../fixtures/tulipReference.js';
import { testIndicatorContract } from '../testing/testIndicatorContract.js';
import { EMA } from './EMA.js';

testIndicatorContract('EMA(9)', (snapshot) => new EMA(9, snapshot));

describe('EMA', () => {
  it('matches Tulip Indicators\' ema 5 once stable', { tags: ['tulipindicators'] }, () => {
    const ema = new EMA(5);
    const results = TULIP_INPUT.map((x) => ema.update(x));
    expect(results.slice(0, 4), 'not trusted before 5 inputs').toEqual([null, null, null, null]);
    results.slice(4).forEach((value, i) => { expect(value, `output ${i + 4}`).toBeCloseTo(TULIP_EMA_5[i + 4]!, 3); });
  });
});
