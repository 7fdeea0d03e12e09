// Iterating several strided views of one output shape row by row: adjacent dims that every view steps through
// contiguously are merged first, so broadcasting [N, C] + [C] becomes one outer loop over N and a tight inner loop
// over C, with no per-element offset tables (the old path built an Int32Array of offsets per operand).

import type { StridedView } from '../backend.js';
import { sizeOf } from './strided.js';

export interface Walk {
  /** Collapsed output shape; the last dim is the inner (row) loop. */
  shape: number[];
  /** Per view, its strides over the collapsed shape. */
  strides: number[][];
  offsets: number[];
}

/** Drops size-1 dims and merges dim d into d-1 wherever every view has stride[d-1] == stride[d] * shape[d]. */
export function collapse(views: readonly StridedView[]): Walk {
  const shape: number[] = [];
  const strides: number[][] = views.map(() => []);
  const src = views[0].shape;
  for (let d = 0; d < src.length; d++) {
    if (src[d] === 1) continue;
    const last = shape.length - 1;
    const mergeable = last >= 0 && views.every((v, i) => strides[i][last] === v.strides[d] * src[d]);
    if (mergeable) {
      shape[last] *= src[d];
      views.forEach((v, i) => (strides[i][last] = v.strides[d]));
    } else {
      shape.push(src[d]);
      views.forEach((v, i) => strides[i].push(v.strides[d]));
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { shape, strides, offsets: views.map((v) => v.offset) };
}

/**
 * Calls row(offs, w) once per inner row, where offs[i] is view i's offset of the row's first element and w is the
 * row's start in the contiguous output. `offs` is reused between calls (read it, do not keep it).
 */
export function forEachRow(walk: Walk, row: (offs: Int32Array, w: number) => void): void {
  const { shape, strides } = walk;
  const rank = shape.length;
  const inner = shape[rank - 1];
  const total = sizeOf(shape);
  if (total === 0) return;
  const nv = strides.length;
  const offs = Int32Array.from(walk.offsets);
  const counter = new Int32Array(rank);
  for (let w = 0; w < total; w += inner) {
    row(offs, w);
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      if (counter[d] < shape[d]) {
        for (let i = 0; i < nv; i++) offs[i] += strides[i][d];
        break;
      }
      for (let i = 0; i < nv; i++) offs[i] -= strides[i][d] * (shape[d] - 1);
      counter[d] = 0;
    }
  }
}
