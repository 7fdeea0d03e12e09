// The float32 WebAssembly row kernels (softmax, logSoftmax, layerNorm, forward and backward) against the float64
// TypeScript kernels, on row lengths around the 4-lane vector width and on rows with masked (-1e9) logits.

import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/backends/cpu/index.js';
import type { Storage } from '../../../src/backends/backend.js';
import { kernelModuleBytes } from '../../../src/backends/wasm/runtime.js';

const wasm = new CpuBackend();
const oracle = new CpuBackend({ wasm: false });

/** A deterministic pseudo-random stream in [-1, 1). */
function values(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (2 * s) / 2147483648 - 1;
  });
}

/** Both backends' storage of the same numbers (float32-rounded first, so both see identical inputs). */
function pair(xs: Float64Array): [Storage, Storage] {
  const x32 = Float32Array.from(xs);
  return [wasm.fromArray(x32, 'float32'), oracle.fromArray(Float64Array.from(x32), 'float64')];
}

/** Largest |got - want| / (1 + |want|), failing on length or type mismatch. */
function worstError(got: Storage, want: Storage): number {
  const [g, w] = [wasm.readSync(got), oracle.readSync(want)];
  expect(g).toBeInstanceOf(Float32Array);
  expect(g.length).toBe(w.length);
  let worst = 0;
  for (let i = 0; i < w.length; i++) {
    const e = Math.abs(g[i] - w[i]) / (1 + Math.abs(w[i]));
    worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
  }
  return worst;
}

const SHAPES: [number, number][] = [
  [3, 1],
  [5, 3],
  [4, 5],
  [3, 7],
  [7, 13],
  [2, 64],
  [3, 257],
  [2, 1001],
];
// float32 rounding of each input and output (6e-8) plus row sums in four float32 lanes over up to 1001 terms
const BOUND = 2e-6;

describe('wasm row kernels', () => {
  it('compile as modules under the 4 KB browsers compile synchronously', () => {
    expect(wasm.kernels).not.toBeNull();
    for (const bytes of kernelModuleBytes()) expect(bytes.length).toBeLessThan(4096);
  });

  for (const [rows, d] of SHAPES) {
    it(`softmax and logSoftmax, forward and backward, on [${rows}, ${d}]`, () => {
      const xs = values(rows * d, rows * 1000 + d).map((v, i) => (i % 5 === 2 ? -1e9 : 8 * v));
      const gs = values(rows * d, d + 7);
      const [x, x64] = pair(xs);
      const [g, g64] = pair(gs);
      const y = wasm.softmax(x, rows, d),
        y64 = oracle.softmax(x64, rows, d);
      const l = wasm.logSoftmax(x, rows, d),
        l64 = oracle.logSoftmax(x64, rows, d);
      expect(worstError(y, y64)).toBeLessThan(BOUND);
      // masked logits give log-probabilities near -1e9, where float32's spacing is 64: compare relatively
      expect(worstError(l, l64)).toBeLessThan(BOUND);
      expect(worstError(wasm.softmaxBackward(y, g, rows, d), oracle.softmaxBackward(y64, g64, rows, d))).toBeLessThan(
        BOUND,
      );
      const [lr, lr64] = pair(Float64Array.from(oracle.readSync(l64)).map((v) => Math.max(v, -40)));
      expect(
        worstError(wasm.logSoftmaxBackward(lr, g, rows, d), oracle.logSoftmaxBackward(lr64, g64, rows, d)),
      ).toBeLessThan(BOUND);
    });

    it(`layerNorm forward and backward on [${rows}, ${d}], rows offset far from 0`, () => {
      const xs = values(rows * d, rows + 31 * d).map((v, i) => 3 * v + 50 * Math.floor(i / d) - 60);
      const [x, x64] = pair(xs);
      const [g, g64] = pair(values(rows * d, 5 * d + 1));
      const n = wasm.layerNorm(x, rows, d, 1e-5),
        n64 = oracle.layerNorm(x64, rows, d, 1e-5);
      // the mean itself held in float32 shifts every x - mean by up to |mean| 2^-24, i.e. |mean| rstd 2^-24 in y
      const rstd64 = oracle.readSync(n64.rstd);
      let meanOverStd = 0;
      for (let r = 0; r < rows; r++) {
        const mean = xs.subarray(r * d, (r + 1) * d).reduce((a, b) => a + b, 0) / d;
        meanOverStd = Math.max(meanOverStd, Math.abs(mean) * rstd64[r]);
      }
      expect(worstError(n.y, n64.y)).toBeLessThan(BOUND + 2 ** -24 * meanOverStd);
      expect(worstError(n.rstd, n64.rstd)).toBeLessThan(BOUND);
      const [xh, xh64] = pair(Float64Array.from(oracle.readSync(n64.y)));
      const [r, r64] = pair(Float64Array.from(oracle.readSync(n64.rstd)));
      expect(
        worstError(wasm.layerNormBackward(xh, r, g, rows, d), oracle.layerNormBackward(xh64, r64, g64, rows, d)),
      ).toBeLessThan(BOUND);
    });
  }

  it('gives softmax weight exactly 0 to a masked logit, and NaN rows stay NaN', () => {
    const [x] = pair(Float64Array.from([0.5, -1e9, 2, Number.NaN, 1, 1]));
    const y = wasm.readSync(wasm.softmax(x, 2, 3));
    expect(y[1]).toBe(0);
    expect(Array.from(y.subarray(3)).every(Number.isNaN)).toBe(true);
  });
});
