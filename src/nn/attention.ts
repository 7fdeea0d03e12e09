// Multi-head causal self-attention, as in GPT-2: one projection to q, k, v, scaled dot products with future
// positions masked out, softmax, attention dropout, heads merged, output projection, residual dropout.

import type { Tensor } from '../tensor.js';
import { matmulT } from '../autograd/ops/matmul.js';
import { fmt } from '../shape.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import type { InitOptions } from './init.js';

/** What a block needs at call time: a causal mask for this length and fresh dropout seeds. */
export interface ForwardContext {
  /** [T, T], nonzero where query t may attend to key s (s <= t). */
  causalMask: Tensor;
  dropout: number;
  training: boolean;
  /** A fresh seed for each dropout mask. */
  nextSeed: () => number;
}

// Finite rather than -Infinity: some GPU shader compilers assume no infinities; exp(-1e9 - max) is 0 anyway.
const MASKED_SCORE = -1e9;

/** GPT-2 multi-head causal self-attention (c_attn, c_proj). */
export class CausalSelfAttention extends Module {
  readonly cAttn: Linear;
  readonly cProj: Linear;
  readonly headDim: number;

  constructor(
    readonly nEmbd: number,
    readonly nHead: number,
    opts: { seeds: () => number; projStd: number } & Omit<InitOptions, 'seed'>,
  ) {
    super();
    if (nEmbd % nHead !== 0)
      throw new Error(`CausalSelfAttention: nEmbd (${nEmbd}) must be divisible by nHead (${nHead})`);
    this.headDim = nEmbd / nHead;
    this.cAttn = this.registerModule('c_attn', new Linear(nEmbd, 3 * nEmbd, { ...opts, seed: opts.seeds() }));
    this.cProj = this.registerModule(
      'c_proj',
      new Linear(nEmbd, nEmbd, { ...opts, seed: opts.seeds(), std: opts.projStd }),
    );
  }

  /** x [B, T, nEmbd] -> [B, T, nEmbd]; each position attends to itself and earlier positions. */
  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const [B, T, C] = x.shape;
    if (x.rank !== 3 || C !== this.nEmbd)
      throw new Error(`CausalSelfAttention.forward: expected [B, T, ${this.nEmbd}], got ${fmt(x.shape)}`);
    const H = this.nHead;
    const D = this.headDim;
    // [B, T, 3C] -> [3, B, H, T, D]: q, k, v with heads as a batch dim
    const qkv = this.cAttn.forward(x).reshape([B, T, 3, H, D]).permute([2, 0, 3, 1, 4]);
    const [q, k, v] = [0, 1, 2].map((i) => qkv.slice([i], [i + 1]).reshape([B, H, T, D]));
    // scaling q rather than the [T, T] scores is the same product with T/D times less work
    const scores = matmulT(q.mul(1 / Math.sqrt(D)), k, false, true).where(ctx.causalMask, MASKED_SCORE);
    const attn = scores.softmax(-1).dropout(ctx.dropout, ctx.nextSeed(), ctx.training);
    const merged = attn.matmul(v).permute([0, 2, 1, 3]).reshape([B, T, C]);
    return this.cProj.forward(merged).dropout(ctx.dropout, ctx.nextSeed(), ctx.training);
  }
}
