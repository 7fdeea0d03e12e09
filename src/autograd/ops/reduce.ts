// Reductions and the softmax family. logsumexp is composed (max-shifted for stability). softmax and logSoftmax
// over the last axis take the backend's fused kernels when it has them (autograd/ops/fused.ts) and are composed
// otherwise; either way their higher-order gradients come from composed rules.

import type { Tensor } from '../../tensor.js';
import { normAxes, normAxis } from '../../shape.js';
import { record } from '../graph.js';
import { checkInputs, output, requireFloat } from './util.js';
import { canFuse, fusedLogSoftmax, fusedSoftmax } from './fused.js';

type Axes = number | readonly number[] | undefined;

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function finalShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** Extremum-based reductions have no value over an empty axis (and argmax would invent index 0). */
function checkNonEmpty(op: string, x: Tensor, axes: readonly number[]): void {
  if (axes.some((a) => x.shape[a] === 0)) throw new Error(`${op}: cannot reduce an empty axis of shape [${x.shape}]`);
}

/** Sum over `axes` (default all); `keepDims` keeps the reduced axes as size 1. */
export function sum(x: Tensor, axesArg?: Axes, keepDims = false): Tensor {
  checkInputs('sum', x);
  const axes = normAxes('sum', axesArg, x.rank);
  const kept = keptShape(x.shape, axes);
  const raw = output('sum', x.backend.reduce('sum', x.storage, x.shape, axes), kept, x.backend, [x]);
  const out = record('sum', raw, [x], (g) => [g.broadcastTo(x.shape)]);
  return keepDims ? out : out.reshape(finalShape(x.shape, axes, false));
}

/** Mean over `axes` (default all); `keepDims` keeps the reduced axes as size 1. */
export function mean(x: Tensor, axesArg?: Axes, keepDims = false): Tensor {
  checkInputs('mean', x);
  requireFloat('mean', x);
  const axes = normAxes('mean', axesArg, x.rank);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return sum(x, axes, keepDims).div(count);
}

/** max over axes; the gradient is shared equally among tied maxima. */
export function max(x: Tensor, axesArg?: Axes, keepDims = false): Tensor {
  checkInputs('max', x);
  const axes = normAxes('max', axesArg, x.rank);
  checkNonEmpty('max', x, axes);
  const kept = keptShape(x.shape, axes);
  const raw = output('max', x.backend.reduce('max', x.storage, x.shape, axes), kept, x.backend, [x]);
  const out = record('max', raw, [x], (g) => {
    const hits = x.eq(raw);
    return [g.mul(hits).div(hits.sum(axes, true))];
  });
  return keepDims ? out : out.reshape(finalShape(x.shape, axes, false));
}

/** min over axes; the gradient is shared equally among tied minima. */
export function min(x: Tensor, axesArg?: Axes, keepDims = false): Tensor {
  checkInputs('min', x);
  return max(x.neg(), normAxes('min', axesArg, x.rank), keepDims).neg();
}

/** Index of the first maximum along `axis`, as int32 (not differentiable). */
export function argmax(x: Tensor, axisArg: number, keepDims = false): Tensor {
  checkInputs('argmax', x);
  const axis = normAxis('argmax', axisArg, x.rank);
  checkNonEmpty('argmax', x, [axis]);
  const out = output(
    'argmax',
    x.backend.reduce('argmax', x.storage, x.shape, [axis]),
    keptShape(x.shape, [axis]),
    x.backend,
    [x],
  );
  return keepDims ? out : out.reshape(finalShape(x.shape, [axis], false));
}

/** log(sum(exp(x))) with the max subtracted first; rows that are all -inf give -inf, not NaN. */
export function logsumexp(x: Tensor, axesArg?: Axes, keepDims = false): Tensor {
  checkInputs('logsumexp', x);
  requireFloat('logsumexp', x);
  const axes = normAxes('logsumexp', axesArg, x.rank);
  checkNonEmpty('logsumexp', x, axes);
  const m = max(x.detach(), axes, true);
  const shift = m.where(m.abs().lt(Infinity), 0);
  const out = x.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepDims ? out : out.reshape(finalShape(x.shape, axes, false));
}

/** Softmax along `axis` (default the last). */
export function softmax(x: Tensor, axisArg = -1): Tensor {
  checkInputs('softmax', x);
  requireFloat('softmax', x);
  const axis = normAxis('softmax', axisArg, x.rank);
  checkNonEmpty('softmax', x, [axis]);
  if (axis === x.rank - 1 && canFuse(x, 'softmax')) return fusedSoftmax(x);
  const e = x.sub(max(x.detach(), [axis], true)).exp();
  return e.div(e.sum(axis, true));
}

/** log(softmax(x)) along `axis` (default the last), computed without the log of a tiny quotient. */
export function logSoftmax(x: Tensor, axisArg = -1): Tensor {
  checkInputs('logSoftmax', x);
  requireFloat('logSoftmax', x);
  const axis = normAxis('logSoftmax', axisArg, x.rank);
  checkNonEmpty('logSoftmax', x, [axis]);
  if (axis === x.rank - 1 && canFuse(x, 'logSoftmax')) return fusedLogSoftmax(x);
  return x.sub(logsumexp(x, [axis], true));
}
