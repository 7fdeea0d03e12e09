// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_). Computed on the tensors' own backend, so
// it needs no readback; the caller reads the returned norm only if it wants to log it.

import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/graph.js';
import { tidy } from '../memory.js';

/** The L2 norm of all gradients together, as a scalar tensor (parameters without a gradient are skipped). */
export function gradNorm(params: readonly Tensor[]): Tensor {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0)
    throw new Error(`gradNorm: none of the ${params.length} parameters has a gradient (call backward first)`);
  return tidy(() =>
    noGrad(() =>
      grads
        .map((g) => g.mul(g).sum())
        .reduce((a, b) => a.add(b))
        .sqrt(),
    ),
  );
}

/**
 * min(1, maxNorm / (norm + 1e-6)) as a scalar tensor, for `optimizer.step({ gradScale })`: clipping folded into the
 * update (fused where the backend has `adamUpdate`) instead of rewriting every gradient first.
 */
export function clipGradScale(norm: Tensor, maxNorm: number): Tensor {
  if (!(maxNorm > 0)) throw new Error(`clipGradScale: maxNorm must be > 0, got ${maxNorm}`);
  return noGrad(() => norm.add(1e-6).reciprocal().mul(maxNorm).minimum(1));
}

/**
 * Scales every gradient by min(1, maxNorm / (norm + 1e-6)) where norm is the L2 norm of all gradients together.
 * Returns the norm before clipping as a scalar tensor (float32/64 like the gradients).
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): Tensor {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  return tidy(() =>
    noGrad(() => {
      const norm = gradNorm(params);
      const scale = clipGradScale(norm, maxNorm);
      for (const p of params) p.grad?.assign(p.grad.mul(scale));
      return norm;
    }),
  );
}
