// The float32 WebAssembly matmul (backends/wasm/gemm.ts driven by backends/cpu/wasm-matmul.ts) against the float64
// triple loop: sizes off the 4x8 tile and the k/m blocks, every transpose pair, broadcast batches, the stacked-batch
// fold of x @ W, and a memory that has to grow between calls.

import { describe, expect, it } from 'vitest';
import type { MatmulSpec } from '../../../src/backends/backend.js';
import { wasmMatmul } from '../../../src/backends/cpu/wasm-matmul.js';
import { wasmKernels } from '../../../src/backends/wasm/runtime.js';
import { maxRelErr, randomArray, referenceMatmul } from '../cpu/reference.js';

const kernels = wasmKernels();

function run(s: MatmulSpec, aSize: number, bSize: number): number {
  const a = Float32Array.from(randomArray(aSize, s.m * 31 + s.k));
  const b = Float32Array.from(randomArray(bSize, s.n * 17 + s.k + 5));
  const batches = s.batchShape.reduce((p, d) => p * d, 1);
  const got = new Float32Array(batches * s.m * s.n);
  wasmMatmul(kernels!, a, b, got, s);
  return maxRelErr(got, referenceMatmul(a, b, s));
}

const plain = (m: number, n: number, k: number, transA: boolean, transB: boolean): MatmulSpec => ({
  batchShape: [],
  aBatchStrides: [],
  bBatchStrides: [],
  m,
  n,
  k,
  transA,
  transB,
});

describe('wasm float32 matmul', () => {
  it('is available in this engine (Node 20 has WebAssembly SIMD)', () => {
    expect(kernels).not.toBeNull();
  });

  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 4],
    [9, 13, 6],
    [17, 1, 33],
    [1, 19, 2],
    [70, 37, 300],
    [133, 9, 5],
    [5, 8, 0],
  ];
  for (const [m, n, k] of sizes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`${m}x${k} @ ${k}x${n} transA=${tA} transB=${tB}`, () => {
          expect(run(plain(m, n, k, tA, tB), m * k, k * n)).toBeLessThan(2e-6 * Math.sqrt(k + 1));
        });
      }
    }
  }

  it('broadcast batches, a shared B folded into one tall matmul, and a grown memory', () => {
    const s1: MatmulSpec = {
      batchShape: [2, 3],
      aBatchStrides: [3 * 42, 42],
      bBatchStrides: [0, 35],
      m: 6,
      n: 5,
      k: 7,
      transA: true,
      transB: false,
    };
    expect(run(s1, 6 * 42, 3 * 35)).toBeLessThan(1e-5);
    const s2: MatmulSpec = {
      batchShape: [5],
      aBatchStrides: [11 * 13],
      bBatchStrides: [0],
      m: 11,
      n: 10,
      k: 13,
      transA: false,
      transB: false,
    };
    expect(run(s2, 5 * 11 * 13, 130)).toBeLessThan(1e-5);
    const before = kernels!.reservedBytes;
    expect(run(plain(300, 260, 280, false, true), 300 * 280, 280 * 260)).toBeLessThan(1e-4);
    expect(kernels!.reservedBytes).toBeGreaterThan(before);
  });
});
