// LayerNorm over the last axis with a learned gain and bias (GPT-2's eps is 1e-5).

import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { constantInit, type InitOptions } from './init.js';

/** Layer normalisation over the last axis with a learned scale and shift. */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly eps: number;

  constructor(
    readonly dim: number,
    opts: Omit<InitOptions, 'seed'> & { eps?: number },
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.weight = this.registerParameter('weight', constantInit([dim], 1, opts));
    this.bias = this.registerParameter('bias', constantInit([dim], 0, opts));
  }

  /** x [..., dim] normalised over its last axis, then scaled and shifted. */
  forward(x: Tensor): Tensor {
    return x.layerNorm(this.weight, this.bias, this.eps);
  }
}
