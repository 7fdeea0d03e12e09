// Batched matmul with NumPy semantics (1-D operands promoted and squeezed, batch dims broadcast).
// Transposes are flags passed to the kernel, so backward never materialises a transposed copy.

import type { Tensor } from '../../tensor.js';
import { broadcastShapes, contiguousStrides, fmt } from '../../shape.js';
import { record } from '../graph.js';
import { sumTo } from './binary.js';
import { checkInputs, describe, output, promote } from './util.js';

/** op(a) @ op(b) for tensors of rank >= 2, where op transposes the last two dims when its flag is set. */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [am, ak] = transA ? [a.shape[a.rank - 1], a.shape[a.rank - 2]] : [a.shape[a.rank - 2], a.shape[a.rank - 1]];
  const [bk, bn] = transB ? [b.shape[b.rank - 1], b.shape[b.rank - 2]] : [b.shape[b.rank - 2], b.shape[b.rank - 1]];
  if (ak !== bk) {
    const ta = transA ? '^T' : '';
    const tb = transB ? '^T' : '';
    throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)}${ta} @ ${fmt(b.shape)}${tb} (${ak} vs ${bk})`);
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes('matmul', aBatch, bBatch);
  } catch {
    throw new Error(
      `matmul: batch dims ${fmt(aBatch)} and ${fmt(bBatch)} cannot be broadcast: ${fmt(a.shape)} @ ${fmt(b.shape)}`,
    );
  }
  const batchStrides = (shape: readonly number[], batch: readonly number[]): number[] => {
    const strides = contiguousStrides(shape).slice(0, -2);
    const lead = batchShape.length - batch.length;
    return batchShape.map((_, i) => (i < lead || batch[i - lead] === 1 ? 0 : strides[i - lead]));
  };
  const s = a.backend.matmul(a.storage, b.storage, {
    batchShape,
    aBatchStrides: batchStrides(a.shape, aBatch),
    bBatchStrides: batchStrides(b.shape, bBatch),
    m: am,
    n: bn,
    k: ak,
    transA,
    transB,
  });
  const out = output('matmul', s, [...batchShape, am, bn], a.backend, [a, b]);
  return record('matmul', out, [a, b], (g, needs) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needs[0]) ga = transA ? matmulT(b, g, transB, true) : matmulT(g, b, false, !transB);
    if (needs[1]) gb = transB ? matmulT(g, a, true, transA) : matmulT(a, g, !transA, false);
    return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
  });
}

/**
 * Matrix product over the last two axes with NumPy semantics: batch axes broadcast, 1-D operands promoted and
 * squeezed.
 */
export function matmul(x: Tensor, y: Tensor): Tensor {
  checkInputs('matmul', x, y);
  if (x.rank === 0 || y.rank === 0)
    throw new Error(`matmul: operands must have rank >= 1, got ${fmt(x.shape)} @ ${fmt(y.shape)}`);
  if (x.dtype === 'int32' || y.dtype === 'int32')
    throw new Error(`matmul: expects float tensors, got ${describe(x)} @ ${describe(y)}`);
  // checked before 1-D operands are promoted, so the message shows the shapes the caller passed
  const kx = x.shape[x.rank - 1];
  const ky = y.rank === 1 ? y.shape[0] : y.shape[y.rank - 2];
  if (kx !== ky) throw new Error(`matmul: inner dimensions differ: ${fmt(x.shape)} @ ${fmt(y.shape)} (${kx} vs ${ky})`);
  const dtype = promote(x.dtype, y.dtype);
  let a = x.astype(dtype);
  let b = y.astype(dtype);
  const vecA = a.rank === 1;
  const vecB = b.rank === 1;
  if (vecA) a = a.reshape([1, a.shape[0]]);
  if (vecB) b = b.reshape([b.shape[0], 1]);
  let out: Tensor;
  if (b.rank === 2 && a.rank > 2 && a.shape[a.rank - 1] === b.shape[0]) {
    // [..., m, k] @ [k, n]: fold the batch into m, so backward needs no batch reduction
    const lead = a.shape.slice(0, -1);
    out = matmulT(a.reshape([-1, a.shape[a.rank - 1]]), b, false, false).reshape([...lead, b.shape[1]]);
  } else {
    out = matmulT(a, b, false, false);
  }
  if (vecA) out = out.reshape([...out.shape.slice(0, -2), out.shape[out.rank - 1]]);
  if (vecB) out = out.reshape(out.shape.slice(0, -1));
  return out;
}
