// Embedding: a lookup table [numEmbeddings, dim] indexed by int32 ids.

import type { Tensor } from '../tensor.js';
import { embedding } from '../autograd/ops/indexing.js';
import { Module } from './module.js';
import { GPT2_INIT_STD, normalInit, type InitOptions } from './init.js';

/** A lookup table of `numEmbeddings` vectors of size `dim`. */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly dim: number,
    opts: InitOptions & { std?: number },
  ) {
    super();
    this.weight = this.registerParameter('weight', normalInit([numEmbeddings, dim], opts.std ?? GPT2_INIT_STD, opts));
  }

  /** int32 ids [...] -> their vectors [..., dim]. */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids);
  }
}
