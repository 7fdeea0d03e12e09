// Creating and reading tensors: shape/dtype inference, constants, ranges, casts and value round trips.

import { describe, expect, it } from 'vitest';
import { arange, full, ones, tensor, zeros, zerosLike } from '../../src/index.js';

describe('tensor()', () => {
  it('infers shape from nested arrays, including scalars and empty dims', () => {
    expect(tensor(3).shape).toEqual([]);
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]).shape,
    ).toEqual([2, 3]);
    expect(tensor([[[1]], [[2]]]).arraySync()).toEqual([[[1]], [[2]]]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('takes its dtype from a typed array, float32 otherwise, and rounds to float32', () => {
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Float64Array([1, 2]), { shape: [2, 1] }).shape).toEqual([2, 1]);
    expect(tensor([0.1]).dtype).toBe('float32');
    expect(tensor([0.1]).itemSync()).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).itemSync()).toBe(0.1);
    expect(() => tensor([2.7, -2.7], { dtype: 'int32' })).toThrow(/value 2.7 at flat index 0 is not an int32/);
  });

  it('reads return copies: mutating them does not change the tensor', async () => {
    const t = tensor([1, 2]);
    t.dataSync()[0] = 99;
    (await t.data())[1] = 99;
    expect(t.arraySync()).toEqual([1, 2]);
    expect(await tensor(7).item()).toBe(7);
    expect(await tensor([[1], [2]]).array()).toEqual([[1], [2]]);
  });
});

describe('constants and ranges', () => {
  it('zeros, ones, full and zerosLike', () => {
    expect(zeros([2]).arraySync()).toEqual([0, 0]);
    expect(ones([1, 2], { dtype: 'float64' }).arraySync()).toEqual([[1, 1]]);
    expect(full([2], -1.5).arraySync()).toEqual([-1.5, -1.5]);
    const z = zerosLike(tensor([[1, 2]], { dtype: 'float64' }));
    expect([z.shape, z.dtype]).toEqual([[1, 2], 'float64']);
  });

  it('arange: int32 for integer arguments, float32 otherwise; negative steps; empty ranges', () => {
    const r = arange(4);
    expect([r.dtype, r.arraySync()]).toEqual(['int32', [0, 1, 2, 3]]);
    expect(arange(5, 1, -2).arraySync()).toEqual([5, 3]);
    const h = arange(0, 1, 0.25);
    expect([h.dtype, h.arraySync()]).toEqual(['float32', [0, 0.25, 0.5, 0.75]]);
    expect(arange(3, 3).shape).toEqual([0]);
    expect(() => arange(0, 1, 0)).toThrow('arange: step must not be 0');
  });

  it('astype truncates toward zero into int32 and promotes mixed dtypes in binary ops', () => {
    expect(tensor([1.9, -1.9]).astype('int32').arraySync()).toEqual([1, -1]);
    const sum = tensor([1], { dtype: 'int32' }).add(tensor([0.5], { dtype: 'float64' }));
    expect([sum.dtype, sum.arraySync()]).toEqual(['float64', [1.5]]);
    expect(tensor([1, 2], { dtype: 'int32' }).div(2).arraySync()).toEqual([0.5, 1]); // true division
    expect(tensor([3], { dtype: 'int32' }).mul(2).dtype).toBe('int32');
  });
});
