// The packed, register-tiled matmul against the float64 triple loop: odd sizes (edge tiles), every transpose
// combination, k and m larger than one cache block, broadcast batches, and float32 within rounding.

import { describe, expect, it } from 'vitest';
import type { MatmulSpec } from '../../../src/backends/backend.js';
import { matmulInto } from '../../../src/backends/cpu/matmul.js';
import { maxRelErr, randomArray, referenceMatmul } from './reference.js';

function spec(
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  batch: number[] = [],
  aB?: number[],
  bB?: number[],
): MatmulSpec {
  const contiguous = (dims: number[], inner: number): number[] => {
    const s: number[] = new Array(dims.length);
    let acc = inner;
    for (let d = dims.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= dims[d];
    }
    return s;
  };
  return {
    batchShape: batch,
    m,
    n,
    k,
    transA,
    transB,
    aBatchStrides: aB ?? contiguous(batch, m * k),
    bBatchStrides: bB ?? contiguous(batch, k * n),
  };
}

function run(s: MatmulSpec, f32: boolean): { got: Float64Array | Float32Array; want: Float64Array } {
  const batches = s.batchShape.reduce((p, d) => p * d, 1);
  const aSize = (s.aBatchStrides.some((x) => x > 0) ? batches : 1) * s.m * s.k;
  const bSize = (s.bBatchStrides.some((x) => x > 0) ? batches : 1) * s.k * s.n;
  const a64 = randomArray(aSize, s.m * 31 + s.k);
  const b64 = randomArray(bSize, s.n * 17 + s.k + 5);
  const a = f32 ? Float32Array.from(a64) : a64;
  const b = f32 ? Float32Array.from(b64) : b64;
  const got = f32 ? new Float32Array(batches * s.m * s.n) : new Float64Array(batches * s.m * s.n);
  matmulInto(a, b, got, s);
  return { got, want: referenceMatmul(a, b, s) };
}

describe('cpu matmul kernel', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 4, 4],
    [9, 13, 6],
    [17, 1, 33],
    [1, 19, 2],
    [70, 37, 300],
    [5, 8, 0],
  ];
  for (const [m, n, k] of sizes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`float64 ${m}x${k} @ ${k}x${n} transA=${tA} transB=${tB}`, () => {
          const { got, want } = run(spec(m, n, k, tA, tB), false);
          expect(maxRelErr(got, want)).toBeLessThan(1e-12);
        });
      }
    }
  }

  it('float32 matches the float64 reference within float32 rounding (k spans several blocks)', () => {
    const { got, want } = run(spec(67, 45, 530, false, true), true);
    expect(maxRelErr(got, want)).toBeLessThan(2e-5);
  });

  it('broadcast batches: a batched [2,3] against b shared along the first dim', () => {
    const s = spec(6, 5, 7, true, false, [2, 3], [3 * 42, 42], [0, 35]);
    const { got, want } = run(s, false);
    expect(maxRelErr(got, want)).toBeLessThan(1e-12);
  });

  it('detects a wrong result (the comparison can fail)', () => {
    const { got, want } = run(spec(5, 6, 7, false, false), false);
    got[got.length - 1] += 1e-3;
    expect(maxRelErr(got, want)).toBeGreaterThan(1e-6);
  });
});
