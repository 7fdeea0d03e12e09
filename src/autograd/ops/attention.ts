// The core of causal multi-head self-attention, from the packed q, k, v projection to the merged heads:
//   y = merge_heads(dropout(softmax(causal_mask(q k^T / sqrt(D)))) v)
// as one op. Where the backend has the fused `attention` primitives (WebGPU), the forward is one kernel and the
// backward two, reading q, k and v in place; elsewhere (and for higher-order gradients) it is the composition below,
// which is also the reference the fused kernels are tested against.

import type { AttentionSpec } from '../../backends/backend.js';
import type { Tensor } from '../../tensor.js';
import { keyOf } from '../../random.js';
import { fmt } from '../../shape.js';
import { computeGradients, isGradEnabled, record } from '../graph.js';
import { matmulT } from './matmul.js';
import { output } from './util.js';

/** How one attention call runs: head count, causal mask (for the composition) and dropout on the probabilities. */
export interface CausalAttentionOptions {
  heads: number;
  /** [T, T], nonzero where query t may attend to key s: must be the causal (s <= t) mask. */
  causalMask: Tensor;
  /** Drop rate on the attention probabilities (0 for none), and the seed of its mask. */
  dropout: number;
  seed: number;
  training: boolean;
}

/**
 * Longest sequence the fused kernels take. They are untiled (one thread sums a whole row or column of T terms), which
 * costs nothing next to dispatch overhead at the short contexts of small models but loses to the composition's tiled
 * matmuls as T grows; past this the composition runs (a tiled flash-attention kernel would lift the limit).
 */
export const FUSED_ATTENTION_MAX_SEQ = 256;

// Finite rather than -Infinity: some GPU shader compilers assume no infinities; exp(-1e9 - max) is 0 anyway.
const MASKED_SCORE = -1e9;

/** The composition: heads split by a permute and slices, scaled scores, mask, softmax, dropout, product, merge. */
function composed(qkv: Tensor, o: CausalAttentionOptions): Tensor {
  const [B, T, C3] = qkv.shape;
  const H = o.heads;
  const D = C3 / 3 / H;
  // [B, T, 3C] -> [3, B, H, T, D]: q, k, v with heads as a batch dim
  const split = qkv.reshape([B, T, 3, H, D]).permute([2, 0, 3, 1, 4]);
  const [q, k, v] = [0, 1, 2].map((i) => split.slice([i], [i + 1]).reshape([B, H, T, D]));
  // scaling q rather than the [T, T] scores is the same product with T/D times less work
  const scores = matmulT(q.mul(1 / Math.sqrt(D)), k, false, true).where(o.causalMask, MASKED_SCORE);
  const attn = scores.softmax(-1).dropout(o.dropout, o.seed, o.training);
  return attn
    .matmul(v)
    .permute([0, 2, 1, 3])
    .reshape([B, T, H * D]);
}

/**
 * Causal self-attention from qkv [B, T, 3C] (q, k, v each [B, T, H, D] packed as GPT-2's c_attn leaves them) to
 * the heads merged, [B, T, C]. Differentiable in qkv (the mask is a constant).
 */
export function causalAttention(qkv: Tensor, o: CausalAttentionOptions): Tensor {
  const [B, T, C3] = qkv.shape;
  if (qkv.rank !== 3 || C3 % (3 * o.heads) !== 0)
    throw new Error(`causalAttention: expected qkv [B, T, 3 * heads * D], got ${fmt(qkv.shape)} for ${o.heads} heads`);
  if (!(o.dropout >= 0 && o.dropout < 1))
    throw new Error(`causalAttention: dropout must be in [0, 1), got ${o.dropout}`);
  const b = qkv.backend;
  const fusable = b.attention && b.attentionBackward && qkv.dtype !== 'int32' && qkv.size > 0;
  if (!fusable || T > FUSED_ATTENTION_MAX_SEQ) return composed(qkv, o);
  const D = C3 / 3 / o.heads;
  const drop = o.training && o.dropout > 0;
  const spec: AttentionSpec = {
    batch: B,
    seq: T,
    heads: o.heads,
    headDim: D,
    scale: 1 / Math.sqrt(D),
    dropout: drop ? { p: o.dropout, key: keyOf(o.seed) } : undefined,
  };
  const res = b.attention!(qkv.storage, spec);
  const y = output('attention', res.y, [B, T, C3 / 3], b, [qkv]);
  if (!(isGradEnabled() && qkv.requiresGrad)) {
    // nothing will call the backward: its saved probabilities can go now
    b.dispose(res.probs);
    if (res.dropped) b.dispose(res.dropped);
    return y;
  }
  const probs = output('attention', res.probs, [B, o.heads, T, T], b, [qkv]);
  const dropped = res.dropped ? output('attention', res.dropped, [B, o.heads, T, T], b, [qkv]) : probs;
  return record('attention', y, [qkv], (g) => {
    if (!isGradEnabled()) {
      const dqkv = b.attentionBackward!(qkv.storage, probs.storage, dropped.storage, g.storage, spec);
      return [output('attention', dqkv, qkv.shape, b, [qkv, g])];
    }
    // a graph of the backward is being recorded (higher-order gradients): differentiate the composition instead
    const again = composed(qkv, o);
    return [computeGradients([again], [g], [qkv], true).get(qkv) ?? null];
  });
}
