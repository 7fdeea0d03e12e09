// Plain float64 reference kernels and helpers for the CPU fast-path tests: the slow, obviously-correct loops
// every optimised kernel is compared against.

import type { MatmulSpec } from '../../../src/backends/backend.js';

/** A deterministic value source (mulberry32), so a failure is reproducible from its seed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

export function randomArray(n: number, seed: number): Float64Array {
  const r = seeded(seed);
  return Float64Array.from({ length: n }, () => r());
}

/** Triple loop over logical indices; batch offsets are recomputed from scratch per entry. */
export function referenceMatmul(a: ArrayLike<number>, b: ArrayLike<number>, spec: MatmulSpec): Float64Array {
  const { m, n, k, transA, transB, batchShape } = spec;
  const count = batchShape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(count * m * n);
  for (let batch = 0; batch < count; batch++) {
    let rest = batch;
    let aOff = 0;
    let bOff = 0;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const i = rest % batchShape[d];
      rest = Math.floor(rest / batchShape[d]);
      aOff += i * spec.aBatchStrides[d];
      bOff += i * spec.bBatchStrides[d];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
          const bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
          s += av * bv;
        }
        out[batch * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

/** Largest |x - y| / (1 + |y|) over two arrays of equal length. */
export function maxRelErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`length ${x.length} vs ${y.length}`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i]));
    if (!(e <= worst)) worst = e; // NaN counts as worst
  }
  return worst;
}
