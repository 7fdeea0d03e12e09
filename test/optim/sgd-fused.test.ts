// The fused Backend.sgdUpdate against the composed update of optim/sgd.ts: the same optimizer runs on the CPU
// backend (fused) and on one with sgdUpdate removed (composed); both must give the same bits, in float64 and float32,
// plain, with momentum, with weight decay, and with a clipping scale folded in.

import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import type { DType } from '../../src/backends/backend.js';
import { registerBackend, tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { clipGradScale, gradNorm, SGD, type SGDOptions } from '../../src/optim/index.js';

const composed = new CpuBackend();
Object.defineProperty(composed, 'name', { value: 'cpu-composed-sgd' });
Object.defineProperty(composed, 'sgdUpdate', { value: undefined });
registerBackend(composed);

const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.97);

// .grad is read-only: backward of sum(p * g) leaves exactly g in it
function setGrad(p: Tensor, g: Tensor): void {
  p.zeroGrad();
  p.mul(g).sum().backward();
  g.dispose();
}

/** Runs three steps and returns every parameter's final values. */
function run(backend: string, dtype: DType, opts: SGDOptions, clip: boolean): number[][] {
  const params = [
    tensor(values(35, 1), { dtype, shape: [5, 7], backend, requiresGrad: true }),
    tensor(values(7, 2), { dtype, backend, requiresGrad: true }),
  ];
  const opt = new SGD(params, opts);
  for (let step = 0; step < 3; step++) {
    for (const p of params)
      setGrad(
        p,
        tensor(
          values(p.size, 10 + step).map((x) => x * 3),
          { dtype, shape: p.shape, backend },
        ),
      );
    if (clip) {
      const scale = clipGradScale(gradNorm(params), 1.5);
      opt.step({ gradScale: scale });
      scale.dispose();
    } else {
      opt.step();
    }
  }
  return params.map((p) => Array.from(p.dataSync()));
}

const configs: [string, SGDOptions][] = [
  ['plain', { lr: 0.1 }],
  ['momentum', { lr: 0.07, momentum: 0.9 }],
  ['momentum and weight decay', { lr: 0.03, momentum: 0.5, weightDecay: 0.01 }],
  ['weight decay', { lr: 0.3, weightDecay: 0.1 }],
];

describe('fused sgdUpdate on the CPU', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [label, opts] of configs) {
      it(`${label} ${dtype}: fused equals composed bit for bit, also with a folded clipping scale`, () => {
        for (const clip of [false, true]) {
          const fused = run('cpu', dtype, opts, clip);
          expect(fused).toEqual(run('cpu-composed-sgd', dtype, opts, clip));
          expect(fused.flat().some((x, i) => x !== [...values(35, 1), ...values(7, 2)][i])).toBe(true);
        }
      });
    }
  }
});
