// matmul at sizes that cross the CPU kernel's tile edges and k-blocks (the property suite keeps dims <= 4),
// forward and both gradients (which run the transposed kernel variants) against naive triple loops.

import { describe, expect, it } from 'vitest';
import { randn, vjp } from '../../src/index.js';
import * as ref from './reference.js';
import { expectClose } from './suite.js';

const flat = (shape: number[], seed: number): ref.Flat => ({
  shape,
  values: Array.from(randn(shape, { seed, dtype: 'float64' }).dataSync()),
});
const transposeLast = (x: ref.Flat): ref.Flat => {
  const r = x.shape.length;
  return ref.permute(x, [...Array(r - 2).keys(), r - 1, r - 2]);
};

describe('matmul across tile and block edges', () => {
  it.each([
    [
      [1, 1],
      [1, 1],
    ],
    [
      [5, 3],
      [3, 7],
    ],
    [
      [4, 8],
      [8, 4],
    ],
    [
      [9, 300],
      [300, 6],
    ],
    [
      [2, 3, 17, 33],
      [33, 5],
    ],
    [
      [3, 1, 6, 260],
      [1, 2, 260, 9],
    ],
    [[13], [13, 11]],
    [[2, 7, 19], [19]],
  ])('%j @ %j', (sa, sb) => {
    const a = flat(sa, 1);
    const b = flat(sb, 2);
    for (const dtype of ['float64', 'float32'] as const) {
      const tol = dtype === 'float64' ? 1e-10 : 2e-5 * Math.sqrt(sa[sa.length - 1]);
      const ta = randn(sa, { seed: 1, dtype: 'float64' }).astype(dtype);
      const tb = randn(sb, { seed: 2, dtype: 'float64' }).astype(dtype);
      const [out, pullback] = vjp((x, y) => x.matmul(y), [ta, tb]);
      const expected = ref.matmul(a, b);
      expect(out.shape).toEqual(expected.shape);
      expectClose(`${dtype} forward`, { shape: [...out.shape], values: Array.from(out.dataSync()) }, expected, tol);
      // with cotangent G: dA = G @ B^T and dB = A^T @ G, summed over broadcast batch dims
      const g = flat(expected.shape, 3);
      const [ga, gb] = pullback(randn(expected.shape, { seed: 3, dtype: 'float64' }).astype(dtype));
      const A = a.shape.length === 1 ? { shape: [1, ...a.shape], values: a.values } : a;
      const B = b.shape.length === 1 ? { shape: [...b.shape, 1], values: b.values } : b;
      const G = {
        shape: [
          ...(a.shape.length === 1 ? [...expected.shape.slice(0, -1), 1, ...expected.shape.slice(-1)] : expected.shape),
          ...(b.shape.length === 1 ? [1] : []),
        ],
        values: g.values,
      };
      // sum over broadcast batch dims down to the (promoted) operand, then drop the promotion
      const sumTo = (x: ref.Flat, promoted: ref.Flat, shape: number[]): ref.Flat => {
        const lead = x.shape.length - promoted.shape.length;
        const axes = x.shape.flatMap((d, i) => (i < lead || (promoted.shape[i - lead] === 1 && d !== 1) ? [i] : []));
        return { shape, values: ref.sum(x, axes, true).values };
      };
      expectClose(
        `${dtype} grad a`,
        { shape: [...ga.shape], values: Array.from(ga.dataSync()) },
        sumTo(ref.matmul(G, transposeLast(B)), A, sa),
        tol,
      );
      expectClose(
        `${dtype} grad b`,
        { shape: [...gb.shape], values: Array.from(gb.dataSync()) },
        sumTo(ref.matmul(transposeLast(A), G), B, sb),
        tol,
      );
    }
  });
});
