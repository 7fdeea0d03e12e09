// Neural-network building blocks composed from primitives: layerNorm, dropout, cross-entropy.

import { tensorFromStorage, type Tensor } from '../../tensor.js';
import { fmt } from '../../shape.js';
import { keyOf, uniformArray } from '../../random.js';
import { checkInputs, output, requireFloat } from './util.js';
import { record } from '../graph.js';
import { gather } from './indexing.js';
import { canAffine, canFuse, fusedAffine, fusedNormalize } from './fused.js';

/** Normalises over the last axis (biased variance, like torch), then scales and shifts. */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  checkInputs('layerNorm', x);
  requireFloat('layerNorm', x);
  if (x.rank === 0) throw new Error('layerNorm: needs a tensor of rank >= 1 (it normalises the last axis), got []');
  const d = x.shape[x.rank - 1];
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p && (p.rank !== 1 || p.shape[0] !== d)) {
      throw new Error(`layerNorm: ${name} must be [${d}] for input ${fmt(x.shape)}, got ${fmt(p.shape)}`);
    }
  }
  let y: Tensor;
  if (canFuse(x, 'layerNorm')) {
    y = fusedNormalize(x, eps);
  } else {
    const centred = x.sub(x.mean(-1, true));
    const variance = centred.mul(centred).mean(-1, true);
    y = centred.div(variance.add(eps).sqrt());
  }
  // one kernel each way for the scale and shift where the backend has it, else a multiply and an add
  if (weight && bias && canAffine(y, weight, bias)) return fusedAffine(y, weight, bias);
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/** Inverted dropout with a counter-based mask: the same seed drops the same elements on every backend. */
export function dropout(x: Tensor, p: number, seed: number, training = true): Tensor {
  checkInputs('dropout', x);
  requireFloat('dropout', x); // an int32 mask cannot hold 1/(1-p)
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  if (x.backend.dropout) {
    // the mask is made where x lives (no upload); the backward is the same mask applied to the gradient
    const out = output('dropout', x.backend.dropout(x.storage, p, keyOf(seed)), x.shape, x.backend, [x]);
    return record('dropout', out, [x], (g) => [dropout(g, p, seed, true)]);
  }
  const u = uniformArray(x.size, seed);
  const keepMask = new Float64Array(x.size);
  for (let i = 0; i < u.length; i++) keepMask[i] = u[i] >= p ? 1 / (1 - p) : 0;
  const mask = tensorFromStorage(x.backend.fromArray(castFor(x, keepMask), x.dtype), x.shape, x.backend);
  return x.mul(mask);
}

function castFor(x: Tensor, values: Float64Array): Float32Array | Float64Array {
  return x.dtype === 'float64' ? values : Float32Array.from(values);
}

/** Mean cross-entropy of logits [N, C] against int32 targets [N]. */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  checkInputs('crossEntropy', logits, targets);
  if (logits.rank !== 2 || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new Error(
      `crossEntropy: expected logits [N, C] and targets [N], got ${fmt(logits.shape)} and ${fmt(targets.shape)}`,
    );
  }
  requireFloat('crossEntropy', logits);
  if (targets.dtype !== 'int32')
    throw new Error(`crossEntropy: targets must be int32 class indices, got ${fmt(targets.shape)} ${targets.dtype}`);
  const picked = gather(logits.logSoftmax(-1), 1, targets.reshape([-1, 1]));
  return picked.mean().neg();
}
