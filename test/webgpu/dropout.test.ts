// Dropout on WebGPU makes its mask in the kernel from the same Philox counters as the CPU: the same elements are
// dropped, so outputs and gradients are bit-identical to the CPU's float32 path, and nothing is uploaded.

import { describe, expect, it } from 'vitest';
import { tensor, tidy } from '../../src/index.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();

const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe.skipIf(!gpu)('webgpu dropout', () => {
  for (const [n, p, seed] of [
    [1000, 0.1, 7],
    [4097, 0.5, 123456789],
    [333, 0.9, -5],
    [64, 1 - 2 ** -30, 2 ** 40],
  ] as const) {
    it(`keeps exactly the cpu's elements, forward and backward (n ${n}, p ${p}, seed ${seed})`, async () => {
      const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 3);
      const grads = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11));
      const run = async (backend: 'cpu' | 'webgpu') => {
        const x = tensor(values, { backend }).requireGrad();
        const g = tensor(grads, { backend });
        const y = tidy(() => {
          const out = x.dropout(p, seed, true);
          out.mul(g).sum().backward();
          return out;
        });
        const result = { y: await y.data(), dx: await x.grad!.data() };
        for (const t of [x, g, y]) t.dispose();
        return result;
      };
      const s0 = gpu!.stats();
      const onGpu = await run('webgpu');
      const s1 = gpu!.stats();
      const onCpu = await run('cpu');
      expect(bits(onGpu.y)).toEqual(bits(onCpu.y));
      expect(bits(onGpu.dx)).toEqual(bits(onCpu.dx));
      // x and g, the parameter slots: no mask bytes
      expect(s1.uploadBytes - s0.uploadBytes).toBeLessThan(2 * 4 * n + 64 * 256);
      const kept = Array.from(onCpu.y).filter((v) => v !== 0).length;
      if (p < 0.99) expect(Math.abs(kept / n - (1 - p))).toBeLessThan(0.1); // it really drops (a test that can fail)
    });
  }
});
