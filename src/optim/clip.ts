// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_). Computed on the tensors' own backend, so
// it needs no readback; the caller reads the returned norm only if it wants to log it. Where the backend has the
// fused `globalNorm` primitive, the norm and the clip scale take a few kernels; the composition below (a multiply and
// a sum per gradient, then a chain of adds) stays as its reference and as the fallback for backends without it.

import type { Tensor } from '../tensor.js';
import { tensorFromStorage } from '../tensor.js';
import { noGrad } from '../autograd/graph.js';
import { tidy } from '../memory.js';

/** The norm of the gradients and, when clipping, the factor min(1, maxNorm / (norm + 1e-6)) to scale them by. */
export interface ClipStats {
  /** The L2 norm of all gradients together, a scalar tensor in their dtype. */
  norm: Tensor;
  /** The clip scale for `optimizer.step({ gradScale })`, or null when no maxNorm was given. */
  scale: Tensor | null;
}

function checkMaxNorm(op: string, maxNorm: number): void {
  if (!(maxNorm > 0)) throw new Error(`${op}: maxNorm must be > 0, got ${maxNorm}`);
}

function gradsOf(op: string, params: readonly Tensor[]): Tensor[] {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0)
    throw new Error(`${op}: none of the ${params.length} parameters has a gradient (call backward first)`);
  return grads;
}

/**
 * The gradient norm and (with `maxNorm`) the clip scale, both as scalar tensors on the gradients' backend: the one
 * clipping path of every training loop. The scale goes to `optimizer.step({ gradScale })`, so clipping folds into the
 * update (fused where the backend has `adamUpdate`) instead of rewriting every gradient, and nothing is read back.
 */
export function clipStats(params: readonly Tensor[], maxNorm?: number): ClipStats {
  return statsFor('clipStats', params, maxNorm);
}

function statsFor(op: string, params: readonly Tensor[], maxNorm?: number): ClipStats {
  if (maxNorm !== undefined) checkMaxNorm(op, maxNorm);
  const grads = gradsOf(op, params);
  const { backend, dtype } = grads[0];
  const fused = backend.globalNorm;
  if (fused && grads.every((g) => g.backend === backend && g.dtype === dtype)) {
    const out = fused.call(
      backend,
      grads.map((g) => g.storage),
      maxNorm,
    );
    // tracked by an enclosing tidy like any op's output, so a caller keeps what it returns and drops the rest
    const norm = tensorFromStorage(out.norm, [], backend);
    return { norm, scale: out.scale ? tensorFromStorage(out.scale, [], backend) : null };
  }
  return tidy(() =>
    noGrad(() => {
      const norm = grads
        .map((g) => g.mul(g).sum())
        .reduce((a, b) => a.add(b))
        .sqrt();
      return { norm, scale: maxNorm === undefined ? null : clipGradScale(norm, maxNorm) };
    }),
  );
}

/** The L2 norm of all gradients together, as a scalar tensor (parameters without a gradient are skipped). */
export function gradNorm(params: readonly Tensor[]): Tensor {
  return statsFor('gradNorm', params).norm;
}

/**
 * min(1, maxNorm / (norm + 1e-6)) as a scalar tensor, for `optimizer.step({ gradScale })`, from a norm already
 * computed (clipStats gives both at once, fused where the backend can).
 */
export function clipGradScale(norm: Tensor, maxNorm: number): Tensor {
  checkMaxNorm('clipGradScale', maxNorm);
  return noGrad(() => norm.add(1e-6).reciprocal().mul(maxNorm).minimum(1));
}

/**
 * Scales every gradient by min(1, maxNorm / (norm + 1e-6)) where norm is the L2 norm of all gradients together.
 * Returns the norm before clipping as a scalar tensor (float32/64 like the gradients). The training loops pass the
 * scale to the optimizer instead (see clipStats); this is for code that wants the clipped gradients themselves.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): Tensor {
  return tidy(() =>
    noGrad(() => {
      const { norm, scale } = statsFor('clipGradNorm', params, maxNorm);
      for (const p of params) p.grad?.assign(p.grad.mul(scale!));
      return norm;
    }),
  );
}
