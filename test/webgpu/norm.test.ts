// The fused global norm (Backend.globalNorm, gradient clipping) on WebGPU against float64 sums written out here, and
// clipStats on WebGPU against clipStats on the CPU in float64: the norm of 17 gradients of uneven sizes (three
// chunks of bindings, one longer than the kernel's grid so it is strided), the clip scale on both sides of maxNorm,
// and the dispatch count that is the point of the primitive.

import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { clipStats } from '../../src/optim/index.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();

const sizes = [1, 3, 64, 65, 1000, 7, 2, 70_001, 5, 128, 129, 33, 1, 4096, 9, 300, 17];
const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * (i % 5 === 0 ? 3 : 0.25));

/** Parameters whose .grad holds exactly `values(size, seed) * k` (backward of sum(p * g) leaves g). */
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

/** The exact norm of what paramsOn(_, _, k) holds in float32, summed in float64 here. */
function exactNorm(k: number): number {
  let s = 0;
  sizes.forEach((n, seed) => {
    for (const x of values(n, seed)) s += Math.fround(x * k) ** 2;
  });
  return Math.sqrt(s);
}

describe.skipIf(!gpu)('webgpu globalNorm', () => {
  for (const [k, maxNorm] of [
    [1, 1],
    [1e-3, 5],
  ] as const) {
    it(`norm and clip scale of 17 gradients (scale ${k}, maxNorm ${maxNorm})`, async () => {
      const params = paramsOn('webgpu', 'float32', k);
      const before = gpu!.stats();
      const { norm, scale } = clipStats(params, maxNorm);
      const cost = gpu!.stats().dispatches - before.dispatches;
      expect(cost).toBe(4); // ceil(17 / 7) chunks of squares, then the finish
      const [n, s] = [(await norm.data())[0], (await scale!.data())[0]];
      const want = exactNorm(k);
      expect(Math.abs(n - want) / want).toBeLessThan(1e-6);
      const wantScale = Math.min(1, maxNorm / (want + 1e-6));
      expect(Math.abs(s - wantScale) / wantScale).toBeLessThan(1e-6);
      if (k === 1) expect(s).toBeLessThan(0.1);
      else expect(s).toBe(1);
      // clipStats on the CPU in float64 (its own globalNorm) agrees to float32 precision
      const cpu = paramsOn('cpu', 'float64', k);
      const ref = clipStats(cpu, maxNorm);
      expect(Math.abs(n - (await ref.norm.data())[0]) / want).toBeLessThan(1e-6);
      for (const t of [norm, scale!, ref.norm, ref.scale!, ...params, ...cpu]) t.dispose();
    });
  }

  it('without maxNorm gives the norm only, and leaks no buffer', async () => {
    const params = paramsOn('webgpu', 'float32', 1);
    const live = gpu!.memory().buffers;
    const { norm, scale } = clipStats(params);
    expect(scale).toBeNull();
    expect(gpu!.memory().buffers).toBe(live + 1);
    const n = (await norm.data())[0];
    expect(Math.abs(n - exactNorm(1)) / exactNorm(1)).toBeLessThan(1e-6);
    for (const t of [norm, ...params]) t.dispose();
  });

  it('a NaN or infinite gradient gives a non-finite norm (trainSft stops on it)', async () => {
    const params = paramsOn('webgpu', 'float32', 1);
    const bad = tensor([1, 1, 1], { backend: 'webgpu', requiresGrad: true });
    const g = tensor([1, Number.NaN, 2], { backend: 'webgpu' });
    bad.mul(g).sum().backward();
    const { norm } = clipStats([...params, bad], 1);
    expect(Number.isNaN((await norm.data())[0])).toBe(true);
    for (const t of [norm, bad, g, ...params]) t.dispose();
  });
});
