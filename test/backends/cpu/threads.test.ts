// The worker pool splits matmul rows across threads; its result must equal the float64 reference, for odd sizes,
// transposes and broadcast batches, and switching it off must fall back to the single-threaded kernel.

import { afterAll, describe, expect, it } from 'vitest';
import type { MatmulSpec } from '../../../src/backends/backend.js';
import { cpuThreads, setCpuThreads, threadedMatmul } from '../../../src/backends/cpu/threads.js';
import { matmulInto } from '../../../src/backends/cpu/matmul.js';
import { maxRelErr, randomArray, referenceMatmul } from './reference.js';

function job(s: MatmulSpec, f32: boolean, batches: number, aLen: number, bLen: number) {
  const a64 = randomArray(aLen, 11 + s.m);
  const b64 = randomArray(bLen, 23 + s.n);
  const a = f32 ? Float32Array.from(a64) : a64;
  const b = f32 ? Float32Array.from(b64) : b64;
  const out = f32 ? new Float32Array(batches * s.m * s.n) : new Float64Array(batches * s.m * s.n);
  return { a, b, out, want: referenceMatmul(a, b, s) };
}

describe('cpu matmul thread pool', () => {
  afterAll(() => setCpuThreads(1));

  it('is off by default and reports what is in effect', () => {
    expect(cpuThreads()).toBe(1);
    expect(setCpuThreads(3)).toBe(3);
    expect(() => setCpuThreads(0)).toThrow(/integer >= 1/);
  });

  it('float64, odd sizes, every transpose pair, equals the reference', () => {
    setCpuThreads(3);
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const s: MatmulSpec = {
        batchShape: [],
        aBatchStrides: [],
        bBatchStrides: [],
        m: 157,
        n: 93,
        k: 301,
        transA: tA,
        transB: tB,
      };
      const { a, b, out, want } = job(s, false, 1, s.m * s.k, s.k * s.n);
      expect(threadedMatmul(a, b, out, s)).toBe(true);
      expect(maxRelErr(out, want)).toBeLessThan(1e-12);
    }
  });

  it('float32 broadcast batches split across threads, then grows its shared buffer for a bigger job', () => {
    setCpuThreads(2);
    const s: MatmulSpec = {
      batchShape: [3, 5],
      aBatchStrides: [5 * 37 * 45, 37 * 45],
      bBatchStrides: [0, 45 * 29],
      m: 37,
      n: 29,
      k: 45,
      transA: false,
      transB: true,
    };
    const first = job(s, true, 15, 15 * 37 * 45, 5 * 45 * 29);
    expect(threadedMatmul(first.a, first.b, first.out, s)).toBe(true);
    expect(maxRelErr(first.out, first.want)).toBeLessThan(1e-5);
    const big: MatmulSpec = {
      batchShape: [],
      aBatchStrides: [],
      bBatchStrides: [],
      m: 300,
      n: 200,
      k: 150,
      transA: true,
      transB: false,
    };
    const second = job(big, true, 1, 300 * 150, 150 * 200);
    expect(threadedMatmul(second.a, second.b, second.out, big)).toBe(true);
    expect(maxRelErr(second.out, second.want)).toBeLessThan(1e-5);
  });

  it('is bit-identical to the single-threaded kernel, split by rows (m >= n) or by columns (m < n)', () => {
    setCpuThreads(3);
    for (const [m, n, k, tB] of [
      [203, 61, 530, false],
      [37, 301, 97, true],
    ] as const) {
      const s: MatmulSpec = { batchShape: [], aBatchStrides: [], bBatchStrides: [], m, n, k, transA: true, transB: tB };
      const { a, b, out, want } = job(s, true, 1, s.m * s.k, s.k * s.n);
      expect(threadedMatmul(a, b, out, s)).toBe(true);
      const single = new Float32Array(out.length);
      matmulInto(a, b, single, s);
      expect(Array.from(out)).toEqual(Array.from(single));
      expect(maxRelErr(out, want)).toBeLessThan(1e-5);
    }
  });

  it('declines small jobs and works again after being switched off', () => {
    setCpuThreads(2);
    const tiny: MatmulSpec = {
      batchShape: [],
      aBatchStrides: [],
      bBatchStrides: [],
      m: 8,
      n: 8,
      k: 8,
      transA: false,
      transB: false,
    };
    const t = job(tiny, false, 1, 64, 64);
    expect(threadedMatmul(t.a, t.b, t.out, tiny)).toBe(false);
    setCpuThreads(1);
    const s: MatmulSpec = {
      batchShape: [],
      aBatchStrides: [],
      bBatchStrides: [],
      m: 128,
      n: 128,
      k: 64,
      transA: false,
      transB: false,
    };
    const j = job(s, false, 1, 128 * 64, 64 * 128);
    expect(threadedMatmul(j.a, j.b, j.out, s)).toBe(false);
  });
});
