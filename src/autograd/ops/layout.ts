// Layout ops: reshape (a view, no copy), permute/transpose/broadcastTo/slice (strided copies), concat and casts.

import type { DType } from '../../backends/backend.js';
import { tensorView, type Tensor } from '../../tensor.js';
import {
  broadcastShapes,
  broadcastView,
  contiguousStrides,
  fmt,
  normAxis,
  resolveReshape,
  sameShape,
} from '../../shape.js';
import { record } from '../graph.js';
import { sumTo } from './binary.js';
import { checkInputs, full, output } from './util.js';

/** The same values in a new shape, without a copy; one entry of `shape` may be -1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkInputs('reshape', x);
  const target = resolveReshape('reshape', x.shape, shape);
  if (sameShape(target, x.shape)) return x;
  return record('reshape', tensorView(x, target), [x], (g) => [g.reshape(x.shape)]);
}

/** Reorders the axes: axis i of the result is axis perm[i] of x. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkInputs('permute', x);
  const axes = perm.map((p) => normAxis('permute', p, x.rank));
  if (axes.length !== x.rank || new Set(axes).size !== x.rank) {
    throw new Error(`permute: [${perm}] is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  }
  if (axes.every((a, i) => a === i)) return x;
  const strides = contiguousStrides(x.shape);
  const view = { shape: axes.map((a) => x.shape[a]), strides: axes.map((a) => strides[a]), offset: 0 };
  const out = output('permute', x.backend.copyStrided(x.storage, view), view.shape, x.backend, [x]);
  const inverse = new Array<number>(x.rank);
  axes.forEach((a, i) => (inverse[a] = i));
  return record('permute', out, [x], (g) => [g.permute(inverse)]);
}

/** Swaps two axes (default the last two). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkInputs('transpose', x);
  if (x.rank < 2) throw new Error(`transpose: needs rank >= 2, got ${fmt(x.shape)}`);
  const d0 = normAxis('transpose', dim0, x.rank);
  const d1 = normAxis('transpose', dim1, x.rank);
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
  return permute(x, perm);
}

/** Expands size-1 (and missing leading) axes to `shape`; the gradient sums back. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkInputs('broadcastTo', x);
  const target = [...shape];
  if (!sameShape(broadcastShapes('broadcastTo', x.shape, target), target)) {
    throw new Error(`broadcastTo: cannot broadcast ${fmt(x.shape)} to ${fmt(target)}`);
  }
  if (sameShape(x.shape, target)) return x;
  const out = output(
    'broadcastTo',
    x.backend.copyStrided(x.storage, broadcastView(x.shape, target)),
    target,
    x.backend,
    [x],
  );
  return record('broadcastTo', out, [x], (g) => [sumTo(g, x.shape)]);
}

/** Per-axis [start, end) with negative indices counted from the end; missing axes are taken whole. */
export function slice(x: Tensor, starts: readonly number[], endsArg?: readonly number[]): Tensor {
  checkInputs('slice', x);
  if (starts.length > x.rank || (endsArg && endsArg.length > x.rank)) {
    throw new Error(`slice: got ${Math.max(starts.length, endsArg?.length ?? 0)} ranges for ${fmt(x.shape)}`);
  }
  const begin: number[] = [];
  const end: number[] = [];
  for (let d = 0; d < x.rank; d++) {
    const n = x.shape[d];
    const s = starts[d] ?? 0;
    const e = endsArg?.[d] ?? n;
    const b0 = s < 0 ? s + n : s;
    const e0 = e < 0 ? e + n : e;
    if (!Number.isInteger(b0) || !Number.isInteger(e0) || b0 < 0 || e0 > n || b0 > e0) {
      throw new Error(`slice: range [${s}, ${e}) is out of bounds for axis ${d} of ${fmt(x.shape)}`);
    }
    begin.push(b0);
    end.push(e0);
  }
  const shape = begin.map((b, d) => end[d] - b);
  if (sameShape(shape, x.shape)) return x;
  const strides = contiguousStrides(x.shape);
  const view = { shape, strides, offset: begin.reduce((o, b, d) => o + b * strides[d], 0) };
  const out = output('slice', x.backend.copyStrided(x.storage, view), shape, x.backend, [x]);
  return record('slice', out, [x], (g) => [pad(g, begin, x.shape)]);
}

/** Places g at offset `begin` inside zeros of `shape` (the adjoint of slice), one concat per padded axis. */
function pad(g: Tensor, begin: readonly number[], shape: readonly number[]): Tensor {
  let out = g;
  for (let d = 0; d < shape.length; d++) {
    const before = begin[d];
    const after = shape[d] - before - g.shape[d];
    if (before === 0 && after === 0) continue;
    const parts: Tensor[] = [];
    const blockShape = (n: number): number[] => out.shape.map((s, i) => (i === d ? n : s));
    if (before > 0) parts.push(full(blockShape(before), 0, g.dtype, g.backend));
    parts.push(out);
    if (after > 0) parts.push(full(blockShape(after), 0, g.dtype, g.backend));
    out = concat(parts, d);
  }
  return out;
}

/** Joins tensors of equal shape except along `axis` (default 0). */
export function concat(xs: readonly Tensor[], axisArg = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  checkInputs('concat', ...xs);
  const first = xs[0];
  // a scalar has no axis to join along; without this check rank 0 would pass as axis 0 and give a [] of n values
  if (first.rank === 0) throw new Error(`concat: got a scalar (shape []); reshape each to [1] to join scalars`);
  const axis = normAxis('concat', axisArg, first.rank);
  for (const t of xs) {
    const ok =
      t.rank === first.rank && t.dtype === first.dtype && t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!ok) {
      throw new Error(
        `concat: along axis ${axis}, all tensors must match except on that axis and share a dtype; ` +
          `got ${xs.map((x) => `${fmt(x.shape)} ${x.dtype}`).join(', ')}`,
      );
    }
  }
  if (xs.length === 1) return first;
  const shape = first.shape.map((d, i) => (i === axis ? xs.reduce((n, t) => n + t.shape[axis], 0) : d));
  const s = first.backend.concat(
    xs.map((t) => t.storage),
    xs.map((t) => t.shape),
    axis,
  );
  const out = output('concat', s, shape, first.backend, xs);
  return record('concat', out, xs, (g, needs) => {
    let at = 0;
    return xs.map((t, i) => {
      const start = at;
      at += t.shape[axis];
      if (!needs[i]) return null;
      const starts = shape.map((_, d) => (d === axis ? start : 0));
      const ends = shape.map((n, d) => (d === axis ? start + t.shape[axis] : n));
      return g.slice(starts, ends);
    });
  });
}

/** The values converted to `dtype`; the gradient flows back converted to x's dtype. */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkInputs('astype', x);
  if (!x.backend.dtypes.includes(dtype)) {
    throw new Error(`astype: backend '${x.backend.name}' has no ${dtype} (it supports ${x.backend.dtypes.join(', ')})`);
  }
  if (x.dtype === dtype) return x;
  const out = output('astype', x.backend.cast(x.storage, dtype), x.shape, x.backend, [x]);
  if (dtype === 'int32') return out;
  return record('astype', out, [x], (g) => [g.astype(x.dtype)]);
}
