// The fused Adam / AdamW update on WebGPU against the update of optim/adam.ts written out in float32 steps (each
// operation rounded with Math.fround, as the composed update's float32 tensors are) and against float64.

import { describe, expect, it } from 'vitest';
import type { AdamUpdateSpec } from '../../src/backends/backend.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const f = Math.fround;

/** The composed update of optim/adam.ts, one float32 rounding per tensor op (scale: clipping's grad.mul(scale)). */
function reference(
  p: number,
  g0: number,
  m: number,
  v: number,
  s: AdamUpdateSpec,
  scale: number,
  round: (x: number) => number,
) {
  let g = scale === 1 ? g0 : round(g0 * round(scale));
  let param = p;
  if (s.weightDecay > 0 && s.decoupled) param = round(p * round(1 - s.lr * s.weightDecay));
  else if (s.weightDecay > 0) g = round(g + round(p * round(s.weightDecay)));
  const m1 = round(round(m * round(s.beta1)) + round(g * round(1 - s.beta1)));
  const v1 = round(round(v * round(s.beta2)) + round(round(g * g) * round(1 - s.beta2)));
  const denom = round(round(round(Math.sqrt(v1)) / round(Math.sqrt(s.biasCorrection2))) + round(s.eps));
  return { p: round(param - round(round(m1 / denom) * round(s.lr / s.biasCorrection1))), m: m1, v: v1 };
}

describe.skipIf(!gpu)('webgpu fused adamUpdate', () => {
  const base = {
    lr: 3e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    biasCorrection1: 1 - 0.9 ** 3,
    biasCorrection2: 1 - 0.999 ** 3,
  };
  const cases: Array<[string, AdamUpdateSpec, number | null]> = [
    ['AdamW with decay', { ...base, weightDecay: 0.1, decoupled: true }, null],
    ['Adam with L2 decay', { ...base, weightDecay: 0.01, decoupled: false }, null],
    ['no decay, clipped (gradScale)', { ...base, weightDecay: 0, decoupled: true }, 0.37],
    ['AdamW, clipped', { ...base, weightDecay: 0.1, decoupled: true }, 0.5],
  ];
  for (const [name, spec, scale] of cases) {
    it(name, async () => {
      const n = 1000;
      const p = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 2);
      const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 1.3) * (i % 7 === 0 ? 1e-4 : 1));
      const m = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.1);
      const v = Float32Array.from({ length: n }, (_, i) => (1 + Math.cos(i)) * 0.01);
      const up = (a: Float32Array) => gpu!.fromArray(a, 'float32');
      const inputs = [up(p), up(g), up(m), up(v)];
      const s = scale === null ? undefined : gpu!.fromArray(new Float32Array([scale]), 'float32');
      const before = gpu!.stats();
      const out = gpu!.adamUpdate(inputs[0], inputs[1], inputs[2], inputs[3], spec, s);
      expect(gpu!.stats().dispatches - before.dispatches).toBe(1);
      const [gp, gm, gv] = [await gpu!.read(out.param), await gpu!.read(out.m), await gpu!.read(out.v)];
      let worst32 = 0;
      let worst64 = 0;
      for (let i = 0; i < n; i++) {
        const r32 = reference(p[i], g[i], m[i], v[i], spec, scale ?? 1, f);
        const r64 = reference(p[i], g[i], m[i], v[i], spec, scale ?? 1, (x) => x);
        for (const [got, want32, want64] of [
          [gp[i], r32.p, r64.p],
          [gm[i], r32.m, r64.m],
          [gv[i], r32.v, r64.v],
        ]) {
          worst32 = Math.max(worst32, Math.abs(got - want32) / (Math.abs(want32) + 1e-30));
          // float64 differs by float32 rounding, which cancellation (p (1 - lr wd) - step near 0) makes relative
          worst64 = Math.max(worst64, Math.abs(got - want64) / (1 + Math.abs(want64)));
        }
      }
      expect(worst32, 'vs the float32-step reference').toBeLessThan(1e-6);
      expect(worst64, 'vs float64').toBeLessThan(1e-6);
      // the inputs are left as they were
      expect(Array.from(await gpu!.read(inputs[0]))).toEqual(Array.from(p));
      for (const t of [...inputs, out.param, out.m, out.v, ...(s ? [s] : [])]) gpu!.dispose(t);
    });
  }
});
