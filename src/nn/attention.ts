// Multi-head causal self-attention, as in GPT-2: one projection to q, k, v, scaled dot products with future
// positions masked out, softmax, attention dropout, heads merged (the causalAttention op, fused where the backend
// can), output projection, residual dropout.

import type { Tensor } from '../tensor.js';
import { causalAttention } from '../autograd/ops/attention.js';
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
    if (x.rank !== 3 || x.shape[2] !== this.nEmbd)
      throw new Error(`CausalSelfAttention.forward: expected [B, T, ${this.nEmbd}], got ${fmt(x.shape)}`);
    const merged = causalAttention(this.cAttn.forward(x), {
      heads: this.nHead,
      causalMask: ctx.causalMask,
      dropout: ctx.dropout,
      seed: ctx.nextSeed(),
      training: ctx.training,
    });
    return this.cProj.forward(merged).dropout(ctx.dropout, ctx.nextSeed(), ctx.training);
  }
}
