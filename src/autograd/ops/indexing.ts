// gather (torch.gather semantics), its adjoint scatterAdd, and embedding lookup built on gather.

import type { Tensor } from '../../tensor.js';
import { fmt, normAxis } from '../../shape.js';
import { record } from '../graph.js';
import { checkInputs, output } from './util.js';

function checkIndex(op: string, index: Tensor, rank: number): void {
  if (index.dtype !== 'int32') throw new Error(`${op}: index must be int32, got ${index.dtype} ${fmt(index.shape)}`);
  if (index.rank !== rank)
    throw new Error(`${op}: index ${fmt(index.shape)} must have the same rank as the input (${rank})`);
}

/** out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (and likewise for any axis). */
export function gather(x: Tensor, axisArg: number, index: Tensor): Tensor {
  checkInputs('gather', x, index);
  const axis = normAxis('gather', axisArg, x.rank);
  checkIndex('gather', index, x.rank);
  for (let d = 0; d < x.rank; d++) {
    if (d !== axis && index.shape[d] > x.shape[d]) {
      throw new Error(
        `gather: index ${fmt(index.shape)} exceeds input ${fmt(x.shape)} on axis ${d} (only axis ${axis} may differ)`,
      );
    }
  }
  const s = x.backend.gather(x.storage, x.shape, axis, index.storage, index.shape);
  const out = output('gather', s, index.shape, x.backend, [x, index]);
  return record('gather', out, [x, index], (g) => [scatterAdd(x.shape, axis, index, g), null]);
}

/** zeros(shape) with src[i][j][k] added at [i][index[i][j][k]][k] (axis 1); repeated indices accumulate. */
export function scatterAdd(shape: readonly number[], axisArg: number, index: Tensor, src: Tensor): Tensor {
  checkInputs('scatterAdd', index, src);
  const axis = normAxis('scatterAdd', axisArg, shape.length);
  checkIndex('scatterAdd', index, shape.length);
  if (index.shape.join() !== src.shape.join()) {
    throw new Error(`scatterAdd: index ${fmt(index.shape)} and src ${fmt(src.shape)} must have the same shape`);
  }
  const s = src.backend.scatterAdd(shape, axis, index.storage, src.storage, src.shape);
  const out = output('scatterAdd', s, shape, src.backend, [index, src]);
  return record('scatterAdd', out, [index, src], (g) => [null, gather(g, axis, index)]);
}

/** Rows of `weight` [V, D] picked by int32 `ids` of any shape: result [...ids.shape, D]. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  checkInputs('embedding', weight, ids);
  if (weight.rank !== 2) throw new Error(`embedding: weight must be [vocab, dim], got ${fmt(weight.shape)}`);
  if (ids.dtype !== 'int32') throw new Error(`embedding: ids must be int32, got ${ids.dtype} ${fmt(ids.shape)}`);
  const dim = weight.shape[1];
  const flat = ids.reshape([ids.size, 1]).broadcastTo([ids.size, dim]);
  return gather(weight, 0, flat).reshape([...ids.shape, dim]);
}
