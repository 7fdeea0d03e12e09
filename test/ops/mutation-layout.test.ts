// Layout and indexing ops at their edges (issue 12, mutation testing of src/autograd/ops/layout.ts, indexing.ts and
// matmul.ts): a no-op layout call hands back the tensor itself (no copy, no node), casts to int32 leave the graph,
// slice's index arithmetic, and the errors of the paths the shared suite never takes. Values are worked by hand.

import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import { concat, gather, matmul, registerBackend, scatterAdd, tensor, zeros } from '../../src/index.js';
import { matmulT } from '../../src/autograd/ops/matmul.js';

const noF64 = new CpuBackend();
Object.defineProperty(noF64, 'name', { value: 'cpu-no-f64' });
Object.defineProperty(noF64, 'dtypes', { value: ['float32', 'int32'] });
registerBackend(noF64);

const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const x23 = (requiresGrad = false): Tensor =>
  tensor([0, 1, 2, 3, 4, 5], { shape: [2, 3], dtype: 'float64', requiresGrad });

describe('a layout call that changes nothing returns its input', () => {
  it('reshape, permute, transpose, broadcastTo, slice, concat of one, astype to the same dtype', () => {
    const x = x23(true);
    expect(x.reshape([2, 3])).toBe(x);
    expect(x.reshape([-1, 3])).toBe(x);
    expect(x.permute([0, 1])).toBe(x);
    expect(x.permute([-2, -1])).toBe(x);
    expect(x.broadcastTo([2, 3])).toBe(x);
    expect(x.slice([0, 0], [2, 3])).toBe(x);
    expect(x.slice([-2], [2])).toBe(x);
    expect(x.slice([])).toBe(x);
    expect(concat([x], 1)).toBe(x);
    expect(x.astype('float64')).toBe(x);
    const sq = tensor([1, 2, 3, 4], { shape: [2, 2] });
    expect(sq.transpose(0, 0)).toBe(sq);
  });
});

describe('astype', () => {
  it('a cast to int32 leaves the graph; a float cast stays in it', () => {
    const x = x23(true);
    expect(x.astype('int32').requiresGrad).toBe(false);
    expect(x.astype('float32').requiresGrad).toBe(true);
  });

  it('refuses a dtype the backend lacks, naming the backend and what it supports', () => {
    const x = tensor([1, 2], { backend: 'cpu-no-f64' });
    expect(() => x.astype('float64')).toThrow(
      /^astype: backend 'cpu-no-f64' has no float64 \(it supports float32, int32\)$/,
    );
  });
});

describe('slice', () => {
  const x = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { shape: [3, 4] });

  it('counts negative starts and ends from the end of the axis', () => {
    expect(vals(x.slice([-1]))).toEqual([8, 9, 10, 11]);
    expect(vals(x.slice([1, -3], [3, -1]))).toEqual([5, 6, 9, 10]);
    expect(vals(x.slice([0, 1], [-2]))).toEqual([1, 2, 3]);
    expect(x.slice([1], [1]).shape).toEqual([0, 4]);
  });

  it('refuses a start before the axis, a fractional bound and more ends than axes', () => {
    expect(() => x.slice([-4])).toThrow(/^slice: range \[-4, 3\) is out of bounds for axis 0 of \[3,4\]$/);
    expect(() => x.slice([0, 0.5])).toThrow(/^slice: range \[0.5, 4\) is out of bounds for axis 1 of \[3,4\]$/);
    expect(() => x.slice([0], [1, 1.5])).toThrow(/^slice: range \[0, 1.5\) is out of bounds for axis 1 of \[3,4\]$/);
    expect(() => x.slice([0], [1, 1, 1])).toThrow(/^slice: got 3 ranges for \[3,4\]$/);
    expect(() => x.slice([0, 0, 0, 0], [1])).toThrow(/^slice: got 4 ranges for \[3,4\]$/);
  });

  it('the gradient of a slice is zero outside it, on every axis', () => {
    const a = x23(true);
    a.slice([1, 1], [2, 2]).sum().backward();
    expect(vals(a.grad!)).toEqual([0, 0, 0, 0, 1, 0]);
  });
});

describe('concat', () => {
  it('the gradient of each operand is its own block of the incoming gradient', () => {
    const a = tensor([1, 2], { shape: [1, 2], dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 4, 5, 6], { shape: [2, 2], dtype: 'float64', requiresGrad: true });
    const c = tensor([7, 8], { shape: [1, 2], dtype: 'float64', requiresGrad: true });
    const w = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [4, 2], dtype: 'float64' });
    concat([a, b, c], 0).mul(w).sum().backward();
    expect(vals(a.grad!)).toEqual([1, 2]);
    expect(vals(b.grad!)).toEqual([3, 4, 5, 6]);
    expect(vals(c.grad!)).toEqual([7, 8]);
  });
});

describe('gather and scatterAdd', () => {
  it('gather: the index may be longer than the input along the gathered axis only', () => {
    const x = tensor([1, 2, 3, 4], { shape: [2, 2] });
    const index = tensor([0, 1, 1, 1, 0, 0], { shape: [2, 3], dtype: 'int32' });
    expect(vals(gather(x, 1, index))).toEqual([1, 2, 2, 4, 3, 3]);
    expect(vals(gather(x, -1, index))).toEqual([1, 2, 2, 4, 3, 3]);
  });

  it('scatterAdd names itself when the index is not int32 or has the wrong rank', () => {
    expect(() => scatterAdd([2], 0, tensor([0, 1]), zeros([2]))).toThrow(
      /^scatterAdd: index must be int32, got float32 \[2\]$/,
    );
    expect(() => scatterAdd([2, 2], 0, tensor([0, 1], { dtype: 'int32' }), zeros([2]))).toThrow(
      /^scatterAdd: index \[2\] must have the same rank as the input \(2\)$/,
    );
    expect(() => scatterAdd([2], 1, tensor([0], { dtype: 'int32' }), zeros([1]))).toThrow(
      /^scatterAdd: axis 1 is out of range for a tensor of rank 1$/,
    );
  });

  it('scatterAdd along a negative axis; its gradient gathers the incoming gradient back', () => {
    const src = tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'float64', requiresGrad: true });
    const index = tensor([1, 1, 0, 1], { shape: [2, 2], dtype: 'int32' });
    const out = scatterAdd([2, 3], -1, index, src);
    expect(vals(out)).toEqual([0, 3, 0, 3, 4, 0]);
    out
      .mul(tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: 'float64' }))
      .sum()
      .backward();
    expect(vals(src.grad!)).toEqual([2, 2, 4, 5]);
  });
});

describe('matmulT', () => {
  it('names the transposed operands when inner dimensions differ', () => {
    expect(() => matmulT(zeros([2, 3]), zeros([2, 4]), false, true)).toThrow(
      'matmul: inner dimensions differ: [2,3] @ [2,4]^T (3 vs 4)',
    );
    expect(() => matmulT(zeros([2, 3]), zeros([3, 4]), true, false)).toThrow(
      'matmul: inner dimensions differ: [2,3]^T @ [3,4] (2 vs 3)',
    );
  });

  it('a^T b^T, with a batch broadcast against a single matrix', () => {
    const a = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 2, 2] }); // [[1,2],[3,4]], [[5,6],[7,8]]
    const b = tensor([1, 0, 2, 1], { shape: [2, 2] }); // [[1,0],[2,1]]
    // a^T = [[1,3],[2,4]] and [[5,7],[6,8]]; b^T = [[1,2],[0,1]]
    expect(vals(matmulT(a, b, true, true))).toEqual([1, 5, 2, 8, 5, 17, 6, 20]);
  });
});

describe('permute, transpose and concat arguments', () => {
  const x = x23();
  it('permute names itself for an axis out of range and refuses a repeated extra axis', () => {
    expect(() => x.permute([0, 5])).toThrow(/^permute: axis 5 is out of range for a tensor of rank 2$/);
    expect(() => x.permute([0, 1, 1])).toThrow(/^permute: \[0,1,1\] is not a permutation of the 2 axes of \[2,3\]$/);
  });

  it('transpose swaps the last two axes by default, and names itself for a bad first axis', () => {
    const y = tensor([0, 1, 2, 3, 4, 5, 6, 7], { shape: [2, 2, 2] }).transpose();
    expect([y.shape, vals(y)]).toEqual([
      [2, 2, 2],
      [0, 2, 1, 3, 4, 6, 5, 7],
    ]);
    expect(() => x.transpose(5, 0)).toThrow(/^transpose: axis 5 is out of range for a tensor of rank 2$/);
  });

  it('an end of 0 is the start of the axis, not its end', () => {
    expect(x.slice([0, 0], [2, 0]).shape).toEqual([2, 0]);
  });

  it('concat refuses an operand of lower rank, with the whole message', () => {
    expect(() => concat([zeros([2, 3]), zeros([2])])).toThrow(
      /^concat: along axis 0, all tensors must match except on that axis and share a dtype; got \[2,3\] float32, \[2\] float32$/,
    );
  });

  it('astype names itself for a disposed tensor, and its gradient comes back in the source dtype', () => {
    const dead = zeros([2]);
    dead.dispose();
    expect(() => dead.astype('float64')).toThrow(/^astype: tensor #\d+ \[2\] float32 was disposed$/);
    const a = x23(true);
    a.astype('float32')
      .mul(tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }))
      .sum()
      .backward();
    expect([a.grad!.dtype, vals(a.grad!)]).toEqual(['float64', [1, 2, 3, 4, 5, 6]]);
  });
});

describe('matmul batches', () => {
  /** out[i, j, k] for a [3, 1, 1, 1] (batch [3, 1]) times b [2, 3, 4, 1, 1]: a[j] * b[i, j, k], by a loop. */
  it('a batch of lower rank with a size-1 dim broadcasts against a longer batch', () => {
    const a = Array.from({ length: 3 }, (_, j) => j + 1);
    const b = Array.from({ length: 24 }, (_, i) => (i % 7) - 3);
    const want: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) want.push(a[j] * b[(i * 3 + j) * 4 + k]);
    const out = matmul(tensor(a, { shape: [3, 1, 1, 1] }), tensor(b, { shape: [2, 3, 4, 1, 1] }));
    expect([out.shape, vals(out)]).toEqual([[2, 3, 4, 1, 1], want]);
  });

  it('three batch dims on both sides, each pair of matrices multiplied on its own', () => {
    const a = Array.from({ length: 16 }, (_, i) => i - 5); // [2, 2, 2, 1, 2]
    const b = Array.from({ length: 16 }, (_, i) => 2 * i + 1); // [2, 2, 2, 2, 1]
    const want = Array.from({ length: 8 }, (_, n) => a[2 * n] * b[2 * n] + a[2 * n + 1] * b[2 * n + 1]);
    const out = matmul(tensor(a, { shape: [2, 2, 2, 1, 2] }), tensor(b, { shape: [2, 2, 2, 2, 1] }));
    expect([out.shape, vals(out)]).toEqual([[2, 2, 2, 1, 1], want]);
  });

  it('refuses a scalar or int32 right operand', () => {
    expect(() => matmul(zeros([2]), zeros([]))).toThrow(/^matmul: operands must have rank >= 1, got \[2\] @ \[\]$/);
    expect(() => matmul(zeros([2]), zeros([2], { dtype: 'int32' }))).toThrow(
      /^matmul: expects float tensors, got \[2\] float32 @ \[2\] int32$/,
    );
  });
});
