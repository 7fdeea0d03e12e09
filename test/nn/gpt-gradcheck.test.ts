import { describe, expect, it } from 'vitest';
import { crossEntropy, noGrad, tensor, tidy } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor.js';

// The library's gradcheck differentiates functions of their arguments; a module's parameters live inside it, so
// this test does the finite differences itself, perturbing each parameter element in place with assign.
describe('GPT gradient', () => {
  it('matches central differences for every element of every parameter (float64)', () => {
    const V = 11,
      T = 4,
      B = 2;
    const model = new GPT(
      { vocabSize: V, blockSize: T, nEmbd: 8, nLayer: 2, nHead: 2, dropout: 0 },
      { seed: 3, dtype: 'float64' },
    );
    // larger than GPT-2's init so that every path (attention softmax, GELU curvature) carries signal
    noGrad(() => {
      for (const [i, p] of model.parameters().entries()) {
        const vals = p.dataSync() as Float64Array;
        const bumped = vals.map((v, j) => v * 10 + 0.05 * Math.sin(17 * i + j));
        p.assign(tensor(bumped, { shape: p.shape, dtype: 'float64' }));
      }
    });
    const tokens = tensor(Int32Array.from([1, 5, 9, 2, 10, 0, 3, 3]), { shape: [B, T] });
    const targets = tensor(Int32Array.from([5, 9, 2, 7, 0, 3, 3, 4]), { shape: [B * T] });
    const loss = (): Tensor => crossEntropy(model.forward(tokens).reshape([B * T, V]), targets);

    tidy(() => loss().backward());
    const eps = 1e-6;
    let checked = 0;
    for (const [name, p] of model.namedParameters()) {
      const analytic = p.grad!.dataSync();
      const base = p.dataSync() as Float64Array;
      for (let j = 0; j < base.length; j++) {
        const at = (v: number): number => {
          const probe = base.slice();
          probe[j] = v;
          return tidy(() =>
            noGrad(() => {
              p.assign(tensor(probe, { shape: p.shape, dtype: 'float64' }));
              return loss().itemSync();
            }),
          );
        };
        const numeric = (at(base[j] + eps) - at(base[j] - eps)) / (2 * eps);
        const ok = Math.abs(analytic[j] - numeric) <= 1e-7 + 1e-5 * Math.abs(numeric);
        if (!ok) expect.fail(`${name}[${j}]: analytic ${analytic[j]} vs numeric ${numeric}`);
        checked++;
      }
      noGrad(() => p.assign(tensor(base, { shape: p.shape, dtype: 'float64' })));
    }
    expect(checked).toBe(model.numParameters());
    // the check means something only if the gradients are not all tiny
    const gradNorm = Math.hypot(...model.parameters().flatMap((p) => [...p.grad!.dataSync()]));
    expect(gradNorm).toBeGreaterThan(0.1);
  });
});
