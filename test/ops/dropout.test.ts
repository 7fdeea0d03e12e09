// Seeded dropout: mask statistics, the inverted scaling, and grad = mask / (1 - p).

import { describe, expect, it } from 'vitest';
import { ones, tensor } from '../../src/index.js';
import { uniformReference } from '../core/philox-reference.js';

describe('dropout', () => {
  it.each([0.1, 0.5, 0.8])('p = %f keeps a fraction 1 - p, scaled by 1 / (1 - p)', (p) => {
    const n = 50_000;
    const out = Array.from(ones([n], { dtype: 'float64' }).dropout(p, 17).dataSync());
    const kept = out.filter((v) => v !== 0);
    expect(kept.every((v) => v === 1 / (1 - p))).toBe(true);
    const sigma = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(kept.length / n - (1 - p))).toBeLessThan(5 * sigma);
    // inverted dropout keeps the expectation: the mean stays near 1
    expect(Math.abs(out.reduce((s, v) => s + v, 0) / n - 1)).toBeLessThan((5 * sigma) / (1 - p));
  });

  it('the mask is exactly the documented Philox stream thresholded at p (so every backend can match it)', () => {
    const n = 20_000;
    const u = uniformReference(n, 99);
    for (const p of [0.25, 0.6]) {
      const kept = Array.from(ones([n], { dtype: 'float64' }).dropout(p, 99).dataSync()).map((v) => v !== 0);
      expect(kept).toEqual(u.map((v) => v >= p));
    }
  });

  it('the gradient is the mask divided by 1 - p', () => {
    const p = 0.3;
    const x = tensor(
      Array.from({ length: 1000 }, (_, i) => 1 + (i % 7)),
      { dtype: 'float64', requiresGrad: true },
    );
    const y = x.dropout(p, 5);
    y.sum().backward();
    const g = Array.from(x.grad!.dataSync());
    const ys = y.dataSync();
    const xs = x.dataSync();
    expect(g.every((v) => v === 0 || v === 1 / (1 - p))).toBe(true);
    g.forEach((v, i) => expect(v).toBeCloseTo(ys[i] / xs[i], 12));
    expect(g.some((v) => v === 0) && g.some((v) => v !== 0)).toBe(true);
  });

  it('same seed, same mask (across dtypes); another seed, another mask', () => {
    const mask = (seed: number, dtype: 'float32' | 'float64'): boolean[] =>
      Array.from(ones([200], { dtype }).dropout(0.5, seed).dataSync()).map((v) => v !== 0);
    expect(mask(1, 'float32')).toEqual(mask(1, 'float64'));
    expect(mask(1, 'float64')).toEqual(mask(1, 'float64'));
    expect(mask(2, 'float64')).not.toEqual(mask(1, 'float64'));
  });

  it('is the identity when not training or when p = 0, and refuses p outside [0, 1)', () => {
    const x = tensor([1, 2, 3]);
    expect(x.dropout(0.5, 1, false)).toBe(x);
    expect(x.dropout(0, 1)).toBe(x);
    expect(() => x.dropout(1, 1)).toThrow('dropout: p must be in [0, 1), got 1');
    expect(() => x.dropout(-0.1, 1)).toThrow('dropout: p must be in [0, 1), got -0.1');
  });
});
