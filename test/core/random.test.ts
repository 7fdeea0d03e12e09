// The counter-based RNG: Philox 4x32-10 known answers, agreement with an independent BigInt Philox, determinism,
// and the moments of the uniform and normal draws.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, philox4x32, rand, randn } from '../../src/index.js';
import { philoxReference, uniformReference } from './philox-reference.js';

const hex = (words: number[]): string[] => words.map((w) => (w >>> 0).toString(16).padStart(8, '0'));

describe('philox4x32-10', () => {
  it.each([
    // Random123's known-answer vectors (kat_vectors: philox4x32 10)
    [
      [0, 0, 0, 0],
      [0, 0],
      ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8'],
    ],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      ['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd'],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      ['d16cfe09', '94fdcceb', '5001e420', '24126ea1'],
    ],
  ])('counter %j key %j', (counter, key, expected) => {
    expect(hex(philox4x32(counter as [number, number, number, number], key as [number, number]))).toEqual(expected);
    expect(hex(philoxReference(counter, key))).toEqual(expected); // the oracle agrees too
  });

  it('agrees with the BigInt reference on random counters and keys', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(fc.tuple(word, word, word, word), fc.tuple(word, word), (counter, key) => {
        expect(philox4x32(counter, key)).toEqual(philoxReference(counter, key));
      }),
      { numRuns: 200 },
    );
  });
});

describe('seeded draws', () => {
  it('rand is the documented Philox uniform stream, so every backend can reproduce it', () => {
    for (const seed of [0, 1, 42, -7, 2 ** 40 + 3]) {
      expect(Array.from(rand([11], { seed, dtype: 'float64' }).dataSync())).toEqual(uniformReference(11, seed));
    }
  });

  it('randn is Box-Muller on consecutive pairs of that uniform stream (cos for the first, sin for the second)', () => {
    const u = uniformReference(10, 77);
    const expected = u.flatMap((_, i) =>
      i % 2 === 1
        ? []
        : [
            Math.sqrt(-2 * Math.log(u[i])) * Math.cos(2 * Math.PI * u[i + 1]),
            Math.sqrt(-2 * Math.log(u[i])) * Math.sin(2 * Math.PI * u[i + 1]),
          ],
    );
    const z = randn([9], { seed: 77, dtype: 'float64' }).dataSync();
    z.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('same seed, same numbers; different seed, different numbers', () => {
    const a = randn([3, 5], { seed: 9 }).dataSync();
    expect(randn([3, 5], { seed: 9 }).dataSync()).toEqual(a);
    expect(randn([3, 5], { seed: 10 }).dataSync()).not.toEqual(a);
    // element i depends only on (seed, i): a longer draw starts with the shorter one
    expect(Array.from(rand([20], { seed: 3 }).dataSync()).slice(0, 7)).toEqual(
      Array.from(rand([7], { seed: 3 }).dataSync()),
    );
  });

  it('uniform moments: mean 1/2, variance 1/12, all inside (low, high)', () => {
    const n = 100_000;
    const u = Array.from(rand([n], { seed: 123, dtype: 'float64' }).dataSync());
    const mean = u.reduce((p, v) => p + v, 0) / n;
    const variance = u.reduce((p, v) => p + (v - mean) ** 2, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(2e-3);
    const scaled = rand([1000], { seed: 5, low: -3, high: -1 }).dataSync();
    expect(scaled.every((v) => v > -3 && v < -1)).toBe(true);
  });

  it('normal moments: mean 0, variance 1, no skew, kurtosis 3; mean/std options shift and scale', () => {
    const n = 100_000;
    const z = Array.from(randn([n], { seed: 321, dtype: 'float64' }).dataSync());
    const moment = (k: number): number => z.reduce((p, v) => p + v ** k, 0) / n;
    expect(Math.abs(moment(1))).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(moment(2) - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(moment(3))).toBeLessThan(5 * Math.sqrt(15 / n));
    expect(Math.abs(moment(4) - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    // neighbours (the two halves of a Box-Muller pair, and across pairs) are uncorrelated
    const lag1 = z.slice(1).reduce((p, v, i) => p + v * z[i], 0) / (n - 1);
    expect(Math.abs(lag1)).toBeLessThan(5 / Math.sqrt(n));
    const shifted = randn([n], { seed: 321, dtype: 'float64', mean: 2, std: 0.5 }).dataSync();
    expect(z.reduce((worst, v, i) => Math.max(worst, Math.abs(shifted[i] - (2 + 0.5 * v))), 0)).toBeLessThan(1e-12);
  });

  it('refuses seeds that are not safe integers', () => {
    expect(() => rand([2], { seed: 0.5 })).toThrow('random: seed must be a safe integer, got 0.5');
  });
});

describe('Rng', () => {
  it('derives a reproducible stream of distinct safe-integer seeds', () => {
    const a = new Rng(7);
    const seeds = Array.from({ length: 50 }, () => a.nextSeed());
    expect(new Set(seeds).size).toBe(50);
    expect(seeds.every(Number.isSafeInteger)).toBe(true);
    expect(a.state()).toEqual({ seed: 7, counter: 50 });
    const b = new Rng(7);
    expect(Array.from({ length: 50 }, () => b.nextSeed())).toEqual(seeds);
    const resumed = new Rng(7, 20);
    expect(resumed.nextSeed()).toBe(seeds[20]);
  });
});
