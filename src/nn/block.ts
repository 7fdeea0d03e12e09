// A pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).

import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { LayerNorm } from './layer-norm.js';
import { CausalSelfAttention, type ForwardContext } from './attention.js';
import { MLP } from './mlp.js';
import type { InitOptions } from './init.js';

/** One GPT-2 transformer block: pre-norm attention and MLP, each with a residual connection. */
export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln2: LayerNorm;
  readonly mlp: MLP;

  constructor(
    nEmbd: number,
    nHead: number,
    opts: { seeds: () => number; projStd: number; eps: number } & Omit<InitOptions, 'seed'>,
  ) {
    super();
    this.ln1 = this.registerModule('ln_1', new LayerNorm(nEmbd, opts));
    this.attn = this.registerModule('attn', new CausalSelfAttention(nEmbd, nHead, opts));
    this.ln2 = this.registerModule('ln_2', new LayerNorm(nEmbd, opts));
    this.mlp = this.registerModule('mlp', new MLP(nEmbd, opts));
  }

  /** x [B, T, nEmbd] -> [B, T, nEmbd]. */
  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const h = x.add(this.attn.forward(this.ln1.forward(x), ctx));
    return h.add(this.mlp.forward(this.ln2.forward(h), ctx));
  }
}
