// GPT-2's feed-forward block: expand 4x, GELU (tanh form), project back, residual dropout.

import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import type { ForwardContext } from './attention.js';
import type { InitOptions } from './init.js';

/** GPT-2's feed-forward block: Linear to 4 nEmbd, GELU, Linear back, dropout. */
export class MLP extends Module {
  readonly cFc: Linear;
  readonly cProj: Linear;

  constructor(nEmbd: number, opts: { seeds: () => number; projStd: number } & Omit<InitOptions, 'seed'>) {
    super();
    this.cFc = this.registerModule('c_fc', new Linear(nEmbd, 4 * nEmbd, { ...opts, seed: opts.seeds() }));
    this.cProj = this.registerModule(
      'c_proj',
      new Linear(4 * nEmbd, nEmbd, { ...opts, seed: opts.seeds(), std: opts.projStd }),
    );
  }

  /** x [B, T, nEmbd] -> [B, T, nEmbd]. */
  forward(x: Tensor, ctx: ForwardContext): Tensor {
    return this.cProj.forward(this.cFc.forward(x).gelu()).dropout(ctx.dropout, ctx.nextSeed(), ctx.training);
  }
}
