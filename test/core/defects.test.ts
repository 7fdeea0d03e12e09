// Bad input to tidy and tensor creation (issue 12, defects 5 and 13): nothing leaks, nothing returned is freed
// behind the caller's back, nothing is silently truncated, and an impossible size fails before allocating.

import { describe, expect, it } from 'vitest';
import { full, memory, ones, tensor, tidy, zeros, type Tensor } from '../../src/index.js';
import { MAX_TENSOR_ELEMENTS } from '../../src/creation.js';

const live = () => memory().tensors;

class Holder {
  constructor(readonly t: Tensor) {}
}

describe('tidy', () => {
  it('frees what a Promise-returning fn made before its first await, and says why it refuses', async () => {
    const before = live();
    expect(() =>
      tidy(async () => {
        zeros([3]);
        ones([2]);
        await Promise.resolve();
      }),
    ).toThrow(/tidy: fn returned a Promise/);
    expect(live()).toBe(before);
  });

  it('keeps tensors returned inside a Set, a Map key or a class instance', () => {
    const before = live();
    const [set, map, holder] = tidy(() => {
      zeros([1]); // an intermediate: freed
      return [new Set([zeros([2])]), new Map([[zeros([3]), 'k']]), new Holder(zeros([4]))] as const;
    });
    expect(live()).toBe(before + 3);
    const kept = [...set, ...map.keys(), holder.t];
    expect(kept.map((t) => t.isDisposed)).toEqual([false, false, false]);
    expect(kept.map((t) => t.size)).toEqual([2, 3, 4]);
    for (const t of kept) t.dispose();
    expect(live()).toBe(before);
  });
});

describe('tensor creation', () => {
  it('refuses int32 values that would be truncated or wrapped, naming the value and index', () => {
    expect(() => tensor([3.7, 1e10, NaN], { dtype: 'int32' })).toThrow(/value 3\.7 at flat index 0 is not an int32/);
    expect(() => tensor([1, 2 ** 31], { dtype: 'int32' })).toThrow(/value 2147483648 at flat index 1/);
    expect(() => tensor(new Float64Array([0, NaN]), { dtype: 'int32' })).toThrow(/value NaN at flat index 1/);
    expect(() => full([2], 0.5, { dtype: 'int32' })).toThrow(/full: value 0\.5/);
    expect(Array.from(tensor([-(2 ** 31), 2 ** 31 - 1, 0], { dtype: 'int32' }).dataSync())).toEqual([
      -(2 ** 31),
      2 ** 31 - 1,
      0,
    ]);
  });

  it('refuses more than 2^31 - 1 elements before allocating anything', () => {
    const before = memory().bytes;
    expect(() => zeros([2 ** 31])).toThrow(
      /full: shape \[2147483648\] has 2147483648 elements, more than the 2147483647/,
    );
    expect(() => ones([65536, 65536])).toThrow(/more than the 2147483647 a tensor can hold/);
    expect(() => tensor([1], { shape: [2 ** 16, 2 ** 16, 0] })).toThrow(/1 values do not fill/);
    expect(MAX_TENSOR_ELEMENTS).toBe(2 ** 31 - 1);
    expect(memory().bytes).toBe(before);
  });

  it('zeros and full stage nothing through float64: a large zeros costs its own bytes only', () => {
    const n = 2 ** 24; // 64 MiB of float32
    global.gc?.();
    const rssBefore = process.memoryUsage().arrayBuffers;
    const z = zeros([n]);
    const grew = process.memoryUsage().arrayBuffers - rssBefore;
    // its own 64 MiB (plus slack); a float64 staging copy would add 128 MiB
    expect(grew).toBeLessThan(n * 4 * 1.5);
    expect(z.dataSync()[n - 1]).toBe(0);
    const f = full([n], -0.5);
    expect(f.dataSync()[n - 1]).toBe(-0.5);
    z.dispose();
    f.dispose();
  });
});
