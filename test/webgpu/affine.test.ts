// LayerNorm's fused affine part (Backend.affine / affineBackward) on WebGPU against the composed layerNorm on the
// CPU in float64: the output and the gradients of x, weight and bias for a random upstream gradient, for rows of a
// rank-3 input and for a single row; and what it costs: the normalisation and the affine one kernel each forward.

import { describe, expect, it } from 'vitest';
import { layerNorm, tensor, tidy } from '../../src/index.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();

const values = (n: number, seed: number, k: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * k + (i % 3) * 0.1);

async function run(backend: string, dtype: 'float32' | 'float64', shape: number[]) {
  const d = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const on = { backend, dtype } as const;
  const x = tensor(values(n, 1, 2), { ...on, shape, requiresGrad: true });
  const w = tensor(values(d, 2, 1), { ...on, requiresGrad: true });
  const b = tensor(values(d, 3, 0.5), { ...on, requiresGrad: true });
  const g = tensor(values(n, 4, 1), { ...on, shape });
  const count = () => (backend === 'webgpu' ? gpu!.stats().dispatches : 0);
  let forward = 0;
  const y = tidy(() => {
    const c0 = count();
    const out = layerNorm(x, w, b);
    forward = count() - c0;
    out.mul(g).sum().backward();
    return out;
  });
  const read = async (t: typeof x) => Float64Array.from(await t.data());
  const res = {
    forward,
    y: await read(y),
    grads: [await read(x.grad!), await read(w.grad!), await read(b.grad!)],
  };
  for (const t of [x, w, b, g, y]) t.dispose();
  return res;
}

function expectClose(got: Float64Array, want: Float64Array, what: string): void {
  const scale = Math.max(...want.map(Math.abs));
  expect(scale, what).toBeGreaterThan(0);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  expect(worst, what).toBeLessThan(1e-5);
}

describe.skipIf(!gpu)('webgpu fused layerNorm affine', () => {
  for (const shape of [
    [3, 5, 70],
    [1, 9],
  ]) {
    it(`[${shape.join(', ')}]`, async () => {
      const want = await run('cpu', 'float64', shape);
      const got = await run('webgpu', 'float32', shape);
      expect(got.forward).toBe(2);
      expectClose(got.y, want.y, 'y');
      ['x', 'weight', 'bias'].forEach((name, i) => expectClose(got.grads[i], want.grads[i], `d${name}`));
    });
  }
});
