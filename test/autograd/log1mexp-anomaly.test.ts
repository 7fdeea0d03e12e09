// Anomaly mode must not flag a finite gradient (issue 12, defect 8): log1mexp's backward at x = -100 (ORPO with a
// very unlikely rejected answer) used to compute expm1(100) = Inf in float32 on the way to a gradient of ~0.

import { describe, expect, it } from 'vitest';
import { detectAnomaly, tensor } from '../../src/index.js';
import { orpo } from '../../src/losses/index.js';

describe('log1mexp backward in anomaly mode', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: finite gradient e^x / expm1(x) from -800 to -1e-10, no anomaly`, () => {
      const xs = [-800, -100, -50, -1, -0.5, -1e-3, -1e-10];
      const x = tensor(xs, { dtype }).requireGrad();
      detectAnomaly(() => x.log1mexp().sum().backward());
      const g = Array.from(x.grad!.dataSync());
      xs.forEach((v, i) => {
        const want = Math.exp(v) / Math.expm1(v);
        const want32 = dtype === 'float32' ? Math.fround(want) : want;
        expect(Math.abs(g[i] - want32), `x = ${v}`).toBeLessThanOrEqual(
          Math.abs(want32) * (dtype === 'float32' ? 1e-5 : 1e-12) + 1e-44,
        );
      });
    });
  }

  it('ORPO with a rejected answer at mean log-prob -100 trains under anomaly mode', () => {
    const chosen = tensor([[-0.5, -1.0]], { dtype: 'float32' }).requireGrad();
    const rejected = tensor([[-100, -100]], { dtype: 'float32' }).requireGrad();
    const mask = tensor([[1, 1]], { dtype: 'float32' });
    detectAnomaly(() =>
      orpo({ chosenLogps: chosen, chosenMask: mask, rejectedLogps: rejected, rejectedMask: mask }).loss.backward(),
    );
    expect(Array.from(rejected.grad!.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Array.from(chosen.grad!.dataSync()).every((v) => Number.isFinite(v) && v < 0)).toBe(true);
  });
});
