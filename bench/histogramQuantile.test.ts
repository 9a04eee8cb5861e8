import { describe, expect, it } from 'vitest';
import { histogramQuantile, scrapeBuckets } from './histogramQuantile.js';

const buckets = [
  { le: 0.001, count: 10 },
  { le: 0.005, count: 90 },
  { le: 0.01, count: 98 },
  { le: Number.POSITIVE_INFINITY, count: 100 },
];

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.001 + 0.004 * (40 / 80), 15);
    expect(histogramQuantile(0.05, buckets)).toBeCloseTo(0.0005, 15);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.005 + 0.005 * (5 / 8), 15);
  });

  it('answers the highest finite bound for a rank in the +Inf bucket, and NaN without observations', () => {
    expect(histogramQuantile(0.99, buckets)).toBe(0.01);
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Number.POSITIVE_INFINITY, count: 0 }])).toBeNaN();
  });
});

describe('scrapeBuckets', () => {
  it('sums the buckets of one histogram over its label sets and ignores the others', () => {
    const text = [
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{le="0.001",partition="0"} 3',
      'lat_seconds_bucket{le="+Inf",partition="0"} 5',
      'lat_seconds_bucket{partition="1",le="0.001"} 1',
      'lat_seconds_bucket{partition="1",le="+Inf"} 2',
      'lat_seconds_count 7',
      'other_seconds_bucket{le="0.001"} 100',
    ].join('\n');
    expect(scrapeBuckets(text, 'lat_seconds')).toEqual([{ le: 0.001, count: 4 }, { le: Number.POSITIVE_INFINITY, count: 7 }]);
  });
});
