// The stable forms of test/ops/stability.test.ts on WebGPU, where the same composition runs on WGSL kernels: their
// limits at +-Infinity must match the CPU's (a kernel's 0 * -Inf is NaN there too).

import { describe, expect, it } from 'vitest';
import { grad, tensor, type Tensor } from '../../src/index.js';
import { webgpuOrSkip } from '../webgpu/gpu.js';

const gpu = await webgpuOrSkip();
const vals = async (t: Tensor): Promise<number[]> => Array.from(await t.data());

describe.skipIf(!gpu)('stable forms at +-Infinity on webgpu', () => {
  it('softplus and logSigmoid give 0, Infinity and -Infinity (not NaN), with gradients 1 and 0', async () => {
    const x = tensor([-Infinity, Infinity], { backend: 'webgpu' });
    expect(await vals(x.softplus())).toEqual([0, Infinity]);
    const [lo, hi] = await vals(x.logSigmoid());
    expect(lo).toBe(-Infinity);
    expect(hi === 0).toBe(true); // -0 or 0, never NaN
    expect(await vals(grad((v: Tensor) => v.logSigmoid().sum())(x))).toEqual([1, 0]);
  });
});
