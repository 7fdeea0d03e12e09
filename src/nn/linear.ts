// Linear layer in GPT-2's Conv1D layout: the weight is [in, out], so y = x @ W + b needs no transpose and the
// tensor maps 1:1 onto a Hugging Face checkpoint.

import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { Module } from './module.js';
import { GPT2_INIT_STD, constantInit, normalInit, type InitOptions } from './init.js';

/** Initialisation options of Linear: whether it has a bias (default true) and the weight's init std. */
export interface LinearOptions extends InitOptions {
  bias?: boolean;
  std?: number;
}

/** A dense layer y = x W + b, with W stored [in, out] as GPT-2's Conv1D. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions,
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      normalInit([inFeatures, outFeatures], opts.std ?? GPT2_INIT_STD, opts),
    );
    this.bias = opts.bias === false ? null : this.registerParameter('bias', constantInit([outFeatures], 0, opts));
  }

  /** x [..., in] -> [..., out]. */
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear.forward: expected input [..., ${this.inFeatures}], got ${fmt(x.shape)}`);
    }
    const y = x.matmul(this.weight);
    return this.bias ? y.add(this.bias) : y;
  }
}
