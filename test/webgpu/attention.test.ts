// The fused causal attention (Backend.attention / attentionBackward) on WebGPU against the composed op on the CPU in
// float64: the output and the gradient of qkv for a random upstream gradient, with and without dropout on the
// probabilities (the same Philox mask as the composed dropout), for a shape with several heads and batches and one
// longer than a workgroup in both T and D. Also what it costs: one dispatch forward, two backward.

import { describe, expect, it } from 'vitest';
import { tensor, tidy } from '../../src/index.js';
import { FUSED_ATTENTION_MAX_SEQ, causalAttention } from '../../src/autograd/ops/attention.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();

const values = (n: number, seed: number, k: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * k);

function mask(T: number, backend: string, dtype: 'float32' | 'float64') {
  return tensor(
    Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)),
    { shape: [T, T], backend, dtype },
  );
}

/** y and d(sum(y * gy))/dqkv on `backend`. */
async function run(
  backend: string,
  dtype: 'float32' | 'float64',
  [B, T, H, D]: number[],
  dropout: number,
  training: boolean,
): Promise<{ y: Float64Array; g: Float64Array; dispatches: number[] }> {
  const C = H * D;
  const qkv = tensor(values(B * T * 3 * C, 1, 1.5), { shape: [B, T, 3 * C], backend, dtype, requiresGrad: true });
  const gy = tensor(values(B * T * C, 2, 1), { shape: [B, T, C], backend, dtype });
  const causalMask = mask(T, backend, dtype);
  const counts: number[] = [];
  const count = () => (backend === 'webgpu' ? gpu!.stats().dispatches : 0);
  const y = tidy(() => {
    const c0 = count();
    const out = causalAttention(qkv, { heads: H, causalMask, dropout, seed: 77, training });
    counts.push(count() - c0);
    const loss = out.mul(gy).sum();
    const c1 = count();
    loss.backward();
    counts.push(count() - c1);
    return out;
  });
  const result = {
    y: Float64Array.from(await y.data()),
    g: Float64Array.from(await qkv.grad!.data()),
    dispatches: counts,
  };
  for (const t of [qkv, gy, causalMask, y]) t.dispose();
  return result;
}

function expectClose(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  expect(worst, what).toBeLessThan(2e-5);
}

describe.skipIf(!gpu)('webgpu fused causal attention', () => {
  const cases: [string, number[], number, boolean][] = [
    ['2 batches, 3 heads, no dropout', [2, 5, 3, 4], 0, true],
    ['dropout 0.3 in training', [2, 6, 2, 5], 0.3, true],
    ['dropout off outside training', [1, 4, 2, 3], 0.5, false],
    ['T 70 and D 66: longer than a workgroup, with dropout', [1, 70, 1, 66], 0.2, true],
  ];
  for (const [name, shape, p, training] of cases) {
    it(name, async () => {
      const want = await run('cpu', 'float64', shape, p, training);
      const got = await run('webgpu', 'float32', shape, p, training);
      expectClose(got.y, want.y, 'y');
      expectClose(got.g, want.g, 'dqkv');
      // the element dropout zeroes changes both: a wrong mask could not pass
      if (p > 0 && training) expect(got.y.some((x, i) => x !== 0 && want.y[i] !== 0)).toBe(true);
      // the op's own 1 forward and 2 backward; the loss's sum and mul add 2 to the backward (the broadcast of the
      // sum's gradient and the mul's), the composition would take ~20
      expect(got.dispatches).toEqual([1, 2 + 2]);
    });
  }

  it(`past ${FUSED_ATTENTION_MAX_SEQ} positions the composition runs, and agrees`, async () => {
    const shape = [1, FUSED_ATTENTION_MAX_SEQ + 4, 1, 2];
    const want = await run('cpu', 'float64', shape, 0.1, true);
    const got = await run('webgpu', 'float32', shape, 0.1, true);
    expectClose(got.y, want.y, 'y');
    expectClose(got.g, want.g, 'dqkv');
    expect(got.dispatches[0]).toBeGreaterThan(5);
  });
});
