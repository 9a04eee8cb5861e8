import { describe, expect, it } from 'vitest';
import { periodsPerYear } from './EngineSettings.js';

const SECOND_US = 1_000_000;

describe('periodsPerYear', () => {
  it('follows from days per year and each interval: 365 days give 525 600 1-minute bars and 8 760 hourly ones', () => {
    const settings = { daysPerYear: 365 };
    expect([30, 60, 900, 3600, 86_400].map((s) => periodsPerYear(settings, s * SECOND_US))).toEqual([1_051_200, 525_600, 35_040, 8760, 365]);
  });

  it('keeps every interval right when the year changes: 252 days give 362 880 1-minute and 6 048 hourly bars', () => {
    // The ratio between intervals never changes, so a 1-hour Sharpe can no longer carry a 1-minute factor (×√60 ≈ 7.75).
    const settings = { daysPerYear: 252 };
    expect([periodsPerYear(settings, 60 * SECOND_US), periodsPerYear(settings, 3600 * SECOND_US)]).toEqual([362_880, 6048]);
  });
});
