// The row-walking broadcast paths of binary, where and copyStrided against a per-element reference that computes
// every offset from scratch: trailing/leading/middle broadcasts, scalars, permuted and offset (sliced) views.

import { describe, expect, it } from 'vitest';
import type { StridedView } from '../../../src/backends/backend.js';
import { binary, where } from '../../../src/backends/cpu/elementwise.js';
import { copyStrided } from '../../../src/backends/cpu/layout.js';
import { randomArray } from './reference.js';

function offsetAt(v: StridedView, flat: number): number {
  let off = v.offset;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    off += (flat % v.shape[d]) * v.strides[d];
    flat = Math.floor(flat / v.shape[d]);
  }
  return off;
}

/** The view reading a contiguous tensor of `shape` broadcast to `out` (stride 0 on broadcast dims). */
function bview(shape: number[], out: number[]): StridedView {
  const strides: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides.unshift(shape[d] === 1 ? 0 : s);
    s *= shape[d];
  }
  const lead = out.length - shape.length;
  return { shape: out, strides: [...new Array(lead).fill(0), ...strides], offset: 0 };
}

const size = (s: number[]): number => s.reduce((p, q) => p * q, 1);

describe('cpu broadcasting kernels', () => {
  const pairs: [number[], number[], number[]][] = [
    [[5, 7], [7], [5, 7]],
    [
      [5, 7],
      [5, 1],
      [5, 7],
    ],
    [
      [1, 7],
      [5, 1],
      [5, 7],
    ],
    [
      [3, 1, 4],
      [1, 6, 1],
      [3, 6, 4],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 5],
      [2, 3, 4, 5],
    ],
    [[], [4, 3], [4, 3]],
    [[4, 3], [], [4, 3]],
    [
      [6, 1],
      [6, 1],
      [6, 1],
    ],
    [[0, 3], [3], [0, 3]],
  ];
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'lt'] as const) {
    for (const [sa, sb, so] of pairs) {
      it(`${op} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
        const a = randomArray(size(sa), 1),
          b = randomArray(size(sb), 2);
        const av = bview(sa, so),
          bv = bview(sb, so);
        const got = binary(op, a, av, b, bv, 'float64');
        const f = {
          add: (x: number, y: number) => x + y,
          sub: (x: number, y: number) => x - y,
          mul: (x: number, y: number) => x * y,
          div: (x: number, y: number) => x / y,
          maximum: Math.max,
          lt: (x: number, y: number) => (x < y ? 1 : 0),
        }[op];
        const want = Array.from({ length: size(so) }, (_, i) => f(a[offsetAt(av, i)], b[offsetAt(bv, i)]));
        expect(Array.from(got)).toEqual(want);
      });
    }
  }

  it('where with a broadcast mask and a scalar branch', () => {
    const out = [3, 4, 5];
    const cond = Float64Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const a = randomArray(60, 3),
      b = new Float64Array([-9]);
    const cv = bview([4, 5], out),
      av = bview(out, out),
      bv = bview([], out);
    const got = where(cond, cv, a, av, b, bv, 'float64');
    const want = Array.from({ length: 60 }, (_, i) => (cond[offsetAt(cv, i)] !== 0 ? a[i] : -9));
    expect(Array.from(got)).toEqual(want);
  });

  it('copyStrided of a permuted, sliced view', () => {
    const x = randomArray(2 * 3 * 4 * 5, 4);
    // x is [2,3,4,5]; read x[:, 1:3, :, 1:] permuted to [4, 2, 4(last 4 of dim 3), 2]
    const view: StridedView = { shape: [4, 2, 4, 2], strides: [5, 60, 1, 20], offset: 20 + 1 };
    const got = copyStrided(x, view, 'float64');
    expect(Array.from(got)).toEqual(Array.from({ length: 64 }, (_, i) => x[offsetAt(view, i)]));
    const long: StridedView = { shape: [3, 100], strides: [100, 1], offset: 0 };
    expect(Array.from(copyStrided(randomArray(300, 5), long, 'float64'))).toEqual(Array.from(randomArray(300, 5)));
  });
});
