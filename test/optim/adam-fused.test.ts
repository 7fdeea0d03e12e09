// The fused Backend.adamUpdate against the composed update of optim/adam.ts: the same optimizer runs on the CPU
// backend (fused: WebAssembly SIMD for float32), on a CPU backend with the wasm kernels off (fused TypeScript) and
// on one with adamUpdate removed (composed); all must give the same bits, in float64 and float32, for Adam and
// AdamW, with and without decay and with a clipping scale folded in.

import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import type { DType } from '../../src/backends/backend.js';
import { registerBackend, tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { Adam, AdamW, clipGradNorm, clipGradScale, gradNorm, type Optimizer } from '../../src/optim/index.js';

const composed = new CpuBackend();
Object.defineProperty(composed, 'name', { value: 'cpu-composed-adam' });
Object.defineProperty(composed, 'adamUpdate', { value: undefined });
registerBackend(composed);
const typescriptOnly = new CpuBackend({ wasm: false });
Object.defineProperty(typescriptOnly, 'name', { value: 'cpu-typescript-adam' });
registerBackend(typescriptOnly);

/** Deterministic values in [-1, 1) that are not round in any dtype. */
// .grad is read-only: backward of sum(p * g) leaves exactly g in it (d/dp is 1 * g, no rounding)
const setGrad = (p: Tensor, g: Tensor) => {
  p.zeroGrad();
  p.mul(g).sum().backward();
  g.dispose();
};
const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.97);

type Make = (params: [string, Tensor][]) => Optimizer;

/** Runs three steps and returns every parameter's final values. */
function run(backend: string, dtype: DType, make: Make, clip: 'none' | 'scale' | 'rewrite'): number[][] {
  const params: [string, Tensor][] = [
    ['h.0.w', tensor(values(35, 1), { dtype, shape: [5, 7], backend, requiresGrad: true })],
    ['h.0.b', tensor(values(7, 2), { dtype, backend, requiresGrad: true })],
  ];
  const opt = make(params);
  for (let step = 0; step < 3; step++) {
    for (const [, p] of params) {
      setGrad(
        p,
        tensor(
          values(p.size, 10 + step).map((x) => x * 3),
          { dtype, shape: p.shape, backend },
        ),
      );
    }
    const ps = params.map(([, p]) => p);
    if (clip === 'scale') {
      const scale = clipGradScale(gradNorm(ps), 1.5);
      opt.step({ gradScale: scale });
      scale.dispose();
    } else {
      if (clip === 'rewrite') clipGradNorm(ps, 1.5).dispose();
      opt.step();
    }
  }
  return params.map(([, p]) => Array.from(p.dataSync()));
}

const optimizers: [string, Make][] = [
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.03, weightDecay: 0.1 })],
  ['Adam with L2 decay', (ps) => new Adam(ps, { lr: 0.03, weightDecay: 0.05, betas: [0.8, 0.95] })],
  ['Adam', (ps) => new Adam(ps, { lr: 0.01 })],
];

describe('fused adamUpdate on the CPU', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [label, make] of optimizers) {
      it(`${label} ${dtype}: fused equals composed bit for bit, also with a folded clipping scale`, () => {
        for (const clip of ['none', 'scale'] as const) {
          const fused = run('cpu', dtype, make, clip);
          expect(fused).toEqual(run('cpu-composed-adam', dtype, make, clip));
          expect(run('cpu-typescript-adam', dtype, make, clip)).toEqual(fused);
          expect(fused.flat().some((x, i) => x !== [...values(35, 1), ...values(7, 2)][i])).toBe(true);
        }
      });
    }
  }

  it('folding the clipping scale into step equals clipping the gradients first', () => {
    const make: Make = (ps) => new AdamW(ps, { lr: 0.03 });
    const folded = run('cpu', 'float64', make, 'scale').flat();
    const rewritten = run('cpu', 'float64', make, 'rewrite').flat();
    const unclipped = run('cpu', 'float64', make, 'none').flat();
    folded.forEach((x, i) => expect(x).toBeCloseTo(rewritten[i], 12));
    expect(folded.some((x, i) => Math.abs(x - unclipped[i]) > 1e-6)).toBe(true);
  });

  it('rejects a gradScale that is not one element of the parameters dtype', () => {
    const p = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    setGrad(p, tensor([1, 1], { dtype: 'float64' }));
    const opt = new Adam([p], { lr: 0.1 });
    expect(() => opt.step({ gradScale: tensor([1, 2], { dtype: 'float64' }) })).toThrow(
      /Adam.step: gradScale must be one float64/,
    );
    expect(() => opt.step({ gradScale: tensor([1], { dtype: 'float32' }) })).toThrow(/got \[1\] float32/);
  });
});
