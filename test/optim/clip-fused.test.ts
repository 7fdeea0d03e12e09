// clipStats' two paths on the CPU: the fused Backend.globalNorm (float64 sum of squares) against the composed
// multiply / sum / add chain on a CPU backend with globalNorm removed, in float64 and float32; and the float64 norm
// against sums written out here.

import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend, tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { clipGradNorm, clipStats, gradNorm } from '../../src/optim/index.js';

const composed = new CpuBackend();
Object.defineProperty(composed, 'name', { value: 'cpu-composed-norm' });
Object.defineProperty(composed, 'globalNorm', { value: undefined });
registerBackend(composed);

const sizes = [3, 1, 40, 7, 129];
const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * (i % 3 === 0 ? 2 : 0.3));

function paramsOn(backend: string, dtype: 'float32' | 'float64', k: number): Tensor[] {
  return sizes.map((n, seed) => {
    const p = tensor(new Array(n).fill(0), { dtype, backend, requiresGrad: true });
    const g = tensor(
      values(n, seed).map((x) => x * k),
      { dtype, backend },
    );
    p.mul(g).sum().backward();
    g.dispose();
    return p;
  });
}

describe('clipStats: fused globalNorm and the composed norm agree', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [k, maxNorm] of [
      [1, 2],
      [0.01, 2],
    ] as const) {
      it(`${dtype}, gradients x ${k}, maxNorm ${maxNorm}`, () => {
        const tol = dtype === 'float64' ? 1e-14 : 1e-6;
        let exact = 0;
        sizes.forEach((n, seed) => {
          for (const x of values(n, seed)) exact += (dtype === 'float32' ? Math.fround(x * k) : x * k) ** 2;
        });
        exact = Math.sqrt(exact);
        const fused = clipStats(paramsOn('cpu', dtype, k), maxNorm);
        const slow = clipStats(paramsOn('cpu-composed-norm', dtype, k), maxNorm);
        const [fn, sn] = [fused.norm.dataSync()[0], slow.norm.dataSync()[0]];
        expect(Math.abs(fn - exact) / exact).toBeLessThan(tol);
        expect(Math.abs(sn - exact) / exact).toBeLessThan(tol);
        const wantScale = Math.min(1, maxNorm / (exact + 1e-6));
        for (const s of [fused.scale!.dataSync()[0], slow.scale!.dataSync()[0]])
          expect(Math.abs(s - wantScale) / wantScale).toBeLessThan(tol);
        expect(fused.scale!.dataSync()[0] < 1).toBe(k === 1);
        expect(fused.norm.dtype).toBe(dtype);
      });
    }
  }

  it('gradNorm and clipGradNorm take the same path and keep their own error messages', () => {
    const ps = paramsOn('cpu', 'float64', 1);
    const n = gradNorm(ps).dataSync()[0];
    expect(n).toBe(clipStats(ps).norm.dataSync()[0]);
    expect(clipStats(ps).scale).toBeNull();
    const before = ps[4].grad!.dataSync()[0];
    expect(clipGradNorm(ps, n / 2).dataSync()[0]).toBe(n);
    expect(ps[4].grad!.dataSync()[0]).toBeCloseTo((before * (n / 2)) / (n + 1e-6), 14);
    const bare = [tensor([1], { requiresGrad: true })];
    expect(() => gradNorm(bare)).toThrow('gradNorm: none of the 1 parameters has a gradient');
    expect(() => clipStats(ps, 0)).toThrow('clipStats: maxNorm must be > 0, got 0');
    expect(() => clipGradNorm(ps, -1)).toThrow('clipGradNorm: maxNorm must be > 0, got -1');
  });
});
