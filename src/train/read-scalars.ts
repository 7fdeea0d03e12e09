// Reading a step's scalars (loss, gradient norm, method metrics) back to the CPU in one go: on a GPU every read is
// a submit and a wait for the queue to drain, so a step that awaited each scalar stalled that many times.

import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/graph.js';
import { concat } from '../autograd/ops/layout.js';
import { tidy } from '../memory.js';

/** The values of one-element tensors, read with a single readback (they must share a backend). */
export async function readScalars(ts: readonly Tensor[]): Promise<number[]> {
  if (ts.length === 0) return [];
  const dtype = ts[0].dtype;
  const all = tidy(() => noGrad(() => concat(ts.map((t) => (t.dtype === dtype ? t : t.astype(dtype)).reshape([1])))));
  try {
    return Array.from(await all.data());
  } finally {
    all.dispose();
  }
}
