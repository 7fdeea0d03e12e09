// Numerically stable forms at extreme inputs: no overflow to NaN/Inf, values from closed forms worked by hand.

import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { crossEntropy, grad, tensor } from '../../src/index.js';

const f64 = (data: number[]): Tensor => tensor(data, { dtype: 'float64' });
const vals = (t: Tensor): number[] => Array.from(t.dataSync());

describe('stable forms at extreme inputs', () => {
  it('softplus, logSigmoid and sigmoid at +-800', () => {
    const x = f64([-800, -100, 100, 800]);
    const [a, b, c, d] = vals(x.softplus());
    expect([a, c, d]).toEqual([0, 100, 800]);
    expect(b).toBeCloseTo(Math.exp(-100), 55); // log(1 + e^-100) = e^-100 to double precision
    const ls = vals(x.logSigmoid());
    expect([ls[0], ls[1], ls[3]]).toEqual([-800, -100, -0]);
    expect(ls[2] / -Math.exp(-100)).toBeCloseTo(1, 12);
    expect(vals(x.sigmoid())).toEqual([0, Math.exp(-100) / (1 + Math.exp(-100)), 1 / (1 + Math.exp(-100)), 1]);
    expect(vals(grad((v: Tensor) => v.softplus().sum())(x))).toEqual(vals(x.sigmoid()));
  });

  it('softplus and logSigmoid at +-Infinity, in float64 and float32: the limits, not NaN', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = tensor([-Infinity, Infinity], { dtype });
      // softplus(-inf) = log(1 + 0) = 0 and softplus(inf) = inf; logSigmoid(x) = -softplus(-x)
      expect(vals(x.softplus())).toEqual([0, Infinity]);
      const [lo, hi] = vals(x.logSigmoid());
      expect(lo).toBe(-Infinity);
      expect(hi === 0).toBe(true); // -0 or 0, never NaN
      // d/dx logSigmoid = sigmoid(-x): 1 at -inf, 0 at +inf
      expect(vals(grad((v: Tensor) => v.logSigmoid().sum())(x))).toEqual([1, 0]);
    }
  });

  it('relu at +-Infinity, NaN and signed zeros: torch values, gradient 0 at 0 and below', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = tensor([-Infinity, -1, -0, 0, 2, Infinity, NaN], { dtype });
      const y = vals(x.relu());
      // max(x, 0): 0 (not -0, not NaN) for every negative input, NaN stays NaN
      expect(y.slice(0, 6).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([0, 0, 0, 0, 2, Infinity]);
      expect(y[6]).toBeNaN();
      expect(vals(grad((v: Tensor) => v.relu().sum())(x))).toEqual([0, 0, 0, 0, 1, 1, 0]);
    }
    expect(vals(tensor([-3, 0, 4], { dtype: 'int32' }).relu())).toEqual([0, 0, 4]);
  });

  it('logsumexp, softmax and logSoftmax with huge logits and -inf rows', () => {
    expect(f64([1000, 1000]).logsumexp().itemSync()).toBeCloseTo(1000 + Math.LN2, 10);
    expect(f64([-Infinity, -Infinity]).logsumexp().itemSync()).toBe(-Infinity);
    expect(vals(f64([1000, 0]).softmax())).toEqual([1, 0]);
    expect(vals(f64([1000, 0]).logSoftmax())).toEqual([0, -1000]);
    expect(vals(grad((v: Tensor) => v.logsumexp())(f64([1000, 1000])))).toEqual([0.5, 0.5]);
    // a leading axis takes the composed path (the fused kernels only cover the last axis)
    const column = tensor([[1000], [0]], { dtype: 'float64' });
    expect(vals(column.softmax(0))).toEqual([1, 0]);
    expect(vals(column.logSoftmax(0))).toEqual([0, -1000]);
  });

  it('log1mexp near 0 and far from it; expm1 and log1p at tiny x', () => {
    const [near, far] = vals(f64([-1e-10, -50]).log1mexp());
    expect(near).toBeCloseTo(Math.log(1e-10), 8); // 1 - e^-1e-10 = 1e-10 (1 - 5e-11)
    expect(far / -Math.exp(-50)).toBeCloseTo(1, 12);
    expect(f64([1e-10]).expm1().itemSync() / 1e-10).toBeCloseTo(1, 9);
    expect(f64([1e-10]).log1p().itemSync() / 1e-10).toBeCloseTo(1, 9);
  });

  it('crossEntropy with a logit gap of 1000', () => {
    const logits = tensor(
      [
        [1000, 0],
        [1000, 0],
      ],
      { dtype: 'float64' },
    );
    expect(crossEntropy(logits, tensor([1, 0], { dtype: 'int32' })).itemSync()).toBeCloseTo(500, 10);
    const g = grad((l: Tensor) => crossEntropy(l, tensor([1, 0], { dtype: 'int32' })))(logits);
    // d/dlogits = (softmax - onehot) / N
    expect(vals(g)).toEqual([0.5, -0.5, 0, 0]);
  });

  it('NaN wins in max/argmax/maximum on every reduction path (last axis, leading axis, scattered axes)', () => {
    const x = f64([1, Number.NaN, 3, 4, 5, 6]).reshape([2, 3]);
    expect(vals(x.max(1))).toEqual([Number.NaN, 6]);
    expect(vals(x.max(0))).toEqual([4, Number.NaN, 6]);
    expect(vals(x.argmax(1))).toEqual([1, 2]);
    expect(vals(x.argmax(0))).toEqual([1, 0, 1]);
    const y = f64([1, 2, Number.NaN, 0, 3, 4, 5, 6]).reshape([2, 2, 2]);
    expect(vals(y.max([0, 2]))).toEqual([4, Number.NaN]);
    expect(vals(f64([Number.NaN, 1]).maximum(f64([1, Number.NaN])))).toEqual([Number.NaN, Number.NaN]);
    expect(vals(f64([-Infinity, -Infinity]).max())).toEqual([-Infinity]);
  });

  it('max and maximum split the gradient equally between ties', () => {
    expect(vals(grad((v: Tensor) => v.max())(f64([2, 5, 5])))).toEqual([0, 0.5, 0.5]);
    expect(vals(grad((v: Tensor) => v.maximum(f64([1, 3])).sum())(f64([1, 2])))).toEqual([0.5, 0]);
    expect(vals(grad((v: Tensor) => v.relu().sum())(f64([-1, 0, 2])))).toEqual([0, 0, 1]);
  });
});
