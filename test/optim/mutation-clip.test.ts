// Which path clipStats takes (issue 12, mutation testing): the two paths agree in value (clip-fused.test.ts), so
// only a spy on Backend.globalNorm can see the fused kernel being used exactly when every gradient shares the first
// one's backend and dtype. Also clipGradScale's own maxNorm check.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend, tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { clipGradScale, clipStats } from '../../src/optim/index.js';

const other = new CpuBackend();
Object.defineProperty(other, 'name', { value: 'cpu-clip-other' });
registerBackend(other);

/** A parameter whose gradient is `g` (d/dp of sum(p * g) at p = 0). */
function param(g: number[], dtype: 'float32' | 'float64', backend = 'cpu'): Tensor {
  const p = tensor(
    g.map(() => 0),
    { dtype, backend, requiresGrad: true },
  );
  p.mul(tensor(g, { dtype, backend })).sum().backward();
  return p;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('clipStats: fused only when all gradients share backend and dtype', () => {
  it('same backend and dtype: one globalNorm call gives the norm and the scale', () => {
    const ps = [param([3], 'float64'), param([4, 0], 'float64')];
    const spy = vi.spyOn(ps[0].backend, 'globalNorm');
    const { norm, scale } = clipStats(ps, 1);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(norm.dataSync()[0]).toBe(5);
    expect(scale!.dataSync()[0]).toBeCloseTo(1 / (5 + 1e-6), 15);
  });

  it('mixed dtypes on one backend: the composed norm, promoted to float64', () => {
    const ps = [param([3], 'float32'), param([4], 'float64')];
    const spy = vi.spyOn(ps[0].backend, 'globalNorm');
    const { norm, scale } = clipStats(ps, 2);
    expect(spy).not.toHaveBeenCalled();
    expect(norm.dtype).toBe('float64');
    expect(norm.dataSync()[0]).toBe(5);
    expect(scale!.dataSync()[0]).toBeCloseTo(2 / (5 + 1e-6), 15);
    // float64 first, float32 second: the check looks at every gradient, not just the first
    const swapped = [param([4], 'float64'), param([3], 'float32')];
    expect(clipStats(swapped).norm.dataSync()[0]).toBe(5);
    expect(spy).not.toHaveBeenCalled();
  });

  it('mixed backends of one dtype: no fused call (the composed path then refuses to mix them)', () => {
    const ps = [param([3], 'float64'), param([4], 'float64', 'cpu-clip-other')];
    const spy = vi.spyOn(ps[0].backend, 'globalNorm');
    const spyOther = vi.spyOn(other, 'globalNorm');
    expect(() => clipStats(ps, 1)).toThrow('operands live on different backends');
    expect(spy).not.toHaveBeenCalled();
    expect(spyOther).not.toHaveBeenCalled();
  });
});

describe('clipGradScale', () => {
  it('checks maxNorm under its own name, NaN included', () => {
    const norm = tensor(3, { dtype: 'float64' });
    expect(() => clipGradScale(norm, 0)).toThrow('clipGradScale: maxNorm must be > 0, got 0');
    expect(() => clipGradScale(norm, Number.NaN)).toThrow('clipGradScale: maxNorm must be > 0, got NaN');
    expect(clipGradScale(norm, 1).dataSync()[0]).toBeCloseTo(1 / (3 + 1e-6), 15);
    expect(clipGradScale(norm, 10).dataSync()[0]).toBe(1);
  });
});
