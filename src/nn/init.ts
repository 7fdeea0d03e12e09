// Parameter initialisation shared by the layers: GPT-2 draws weights from normal(0, 0.02) and starts biases at
// zero and LayerNorm gains at one.

import type { Backend, DType } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { full, randn } from '../creation.js';

/** Where a layer's tensors live and how its random draws are seeded. */
export interface InitOptions {
  /** Seed of this tensor's draw; each parameter gets its own from a parent Rng. */
  seed: number;
  dtype?: DType;
  backend?: Backend | string;
}

/** The standard deviation of GPT-2's normal weight initialisation. */
export const GPT2_INIT_STD = 0.02;

export function normalInit(shape: readonly number[], std: number, opts: InitOptions): Tensor {
  return randn(shape, { seed: opts.seed, std, dtype: opts.dtype, backend: opts.backend });
}

export function constantInit(shape: readonly number[], value: number, opts: Omit<InitOptions, 'seed'>): Tensor {
  return full(shape, value, { dtype: opts.dtype, backend: opts.backend });
}
