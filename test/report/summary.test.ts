// Summary statistics over seeds, against values worked out by hand.

import { describe, expect, it } from 'vitest';
import { stat } from '../../src/report/summary.js';

describe('stat', () => {
  it('is the mean and the sample (n - 1) standard deviation', () => {
    // mean 5; squared deviations 9 + 1 + 1 + 9 = 20; sample variance 20 / 3
    const s = stat([2, 4, 6, 8]);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(20 / 3), 14);
  });

  it('gives std 0 for one seed and NaN for none', () => {
    expect(stat([3.5])).toEqual({ mean: 3.5, std: 0, n: 1 });
    const none = stat([]);
    expect(none.n).toBe(0);
    expect(none.mean).toBeNaN();
    expect(none.std).toBeNaN();
  });

  it('two seeds: std is |a - b| / sqrt 2', () => {
    expect(stat([1, 4]).std).toBeCloseTo(3 / Math.SQRT2, 14);
  });
});
