// Fused fast paths for softmax, logSoftmax, layer normalisation and GELU over the last axis, used when the backend
// provides the kernels (see the optional part of Backend). The forward is one kernel. The backward uses the fused
// backward kernel when no graph of the backward is being recorded; when one is (createGraph, grad-of-grad), it is
// the composed formula in Tensor ops, so higher-order gradients stay exact. Both are tested equal to the
// composition in test/backends/cpu/fused-ops.test.ts.

import { GELU_A, GELU_C } from '../../backends/backend.js';
import type { Tensor } from '../../tensor.js';
import { isGradEnabled, record } from '../graph.js';
import { sumTo } from './binary.js';
import { output } from './util.js';

/** True when `x` can take a fused last-axis kernel `kernel` of its backend. */
export function canFuse(x: Tensor, kernel: 'softmax' | 'logSoftmax' | 'layerNorm' | 'gelu'): boolean {
  return x.backend[kernel] !== undefined && x.rank > 0 && x.size > 0 && x.dtype !== 'int32';
}

function rowsOf(x: Tensor): [number, number] {
  const d = x.shape[x.rank - 1];
  return [x.size / d, d];
}

export function fusedSoftmax(x: Tensor): Tensor {
  const [rows, d] = rowsOf(x);
  const b = x.backend;
  const out = output('softmax', b.softmax!(x.storage, rows, d), x.shape, b, [x]);
  return record('softmax', out, [x], (g) => {
    if (!isGradEnabled() && b.softmaxBackward) {
      return [output('softmax', b.softmaxBackward(out.storage, g.storage, rows, d), x.shape, b, [out, g])];
    }
    return [out.mul(g.sub(g.mul(out).sum(-1, true)))];
  });
}

export function fusedLogSoftmax(x: Tensor): Tensor {
  const [rows, d] = rowsOf(x);
  const b = x.backend;
  const out = output('logSoftmax', b.logSoftmax!(x.storage, rows, d), x.shape, b, [x]);
  return record('logSoftmax', out, [x], (g) => {
    if (!isGradEnabled() && b.logSoftmaxBackward) {
      return [output('logSoftmax', b.logSoftmaxBackward(out.storage, g.storage, rows, d), x.shape, b, [out, g])];
    }
    return [g.sub(out.exp().mul(g.sum(-1, true)))];
  });
}

/** (x - mean) / sqrt(biased var + eps) over the last axis, without the affine part. */
export function fusedNormalize(x: Tensor, eps: number): Tensor {
  const [rows, d] = rowsOf(x);
  const b = x.backend;
  const res = b.layerNorm!(x.storage, rows, d, eps);
  const out = output('layerNorm', res.y, x.shape, b, [x]);
  if (!(isGradEnabled() && x.requiresGrad)) {
    b.dispose(res.rstd);
    return out;
  }
  const rstd = output('layerNorm', res.rstd, [rows], b, [x]);
  return record('layerNorm', out, [x], (g) => {
    if (!isGradEnabled() && b.layerNormBackward) {
      return [
        output('layerNorm', b.layerNormBackward(out.storage, rstd.storage, g.storage, rows, d), x.shape, b, [out, g]),
      ];
    }
    // rstd and xhat rebuilt from x, so their dependence on x is recorded too
    const c = x.sub(x.mean(-1, true));
    const r = c.mul(c).mean(-1, true).add(eps).sqrt().reciprocal();
    const xhat = c.mul(r);
    return [r.mul(g.sub(g.mean(-1, true)).sub(xhat.mul(g.mul(xhat).mean(-1, true))))];
  });
}

export function fusedGelu(x: Tensor): Tensor {
  const b = x.backend;
  const out = output('gelu', b.gelu!(x.storage), x.shape, b, [x]);
  return record('gelu', out, [x], (g) => {
    if (!isGradEnabled() && b.geluBackward)
      return [output('gelu', b.geluBackward(x.storage, g.storage), x.shape, b, [x, g])];
    const x2 = x.mul(x);
    const t = x.add(x2.mul(x).mul(GELU_A)).mul(GELU_C).tanh();
    const slope = x
      .mul(0.5)
      .mul(t.mul(t).neg().add(1))
      .mul(
        x2
          .mul(3 * GELU_A)
          .add(1)
          .mul(GELU_C),
      );
    return [g.mul(t.add(1).mul(0.5).add(slope))];
  });
}

/** True when x * w + b (w, b [d] over x's last axis) can take the backend's fused `affine` kernels. */
export function canAffine(x: Tensor, w: Tensor, b: Tensor): boolean {
  const be = x.backend;
  return (
    be.affine !== undefined &&
    be.affineBackward !== undefined &&
    x.rank > 0 &&
    x.size > 0 &&
    x.dtype !== 'int32' &&
    [w, b].every((p) => p.backend === be && p.dtype === x.dtype)
  );
}

/** x * w + b in one kernel (LayerNorm's affine part); the backward's two parameter gradients in one more. */
export function fusedAffine(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const d = w.size;
  const rows = x.size / d;
  const be = x.backend;
  const out = output('affine', be.affine!(x.storage, w.storage, b.storage, rows, d), x.shape, be, [x, w, b]);
  return record('affine', out, [x, w, b], (g, needs) => {
    const gx = needs[0] ? g.mul(w) : null;
    if (!isGradEnabled() && be.affineBackward) {
      if (!needs[1] && !needs[2]) return [gx, null, null];
      const res = be.affineBackward(x.storage, g.storage, rows, d);
      return [gx, output('affine', res.dw, w.shape, be, [x, g]), output('affine', res.db, b.shape, be, [g])];
    }
    return [gx, needs[1] ? sumTo(g.mul(x), w.shape) : null, needs[2] ? sumTo(g, b.shape) : null];
  });
}
