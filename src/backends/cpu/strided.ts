// Index arithmetic shared by the CPU kernels: turning a strided view into a list of element offsets.

import type { StridedView } from '../backend.js';
import { sizeOf } from '../backend.js';

export { sizeOf };

export function isContiguous(view: StridedView): boolean {
  if (view.offset !== 0) return false;
  let expected = 1;
  for (let d = view.shape.length - 1; d >= 0; d--) {
    if (view.shape[d] !== 1 && view.strides[d] !== expected) return false;
    expected *= view.shape[d];
  }
  return true;
}

export function isConstant(view: StridedView): boolean {
  return view.strides.every((s, d) => s === 0 || view.shape[d] === 1);
}

/** Offsets, in row-major order of view.shape, of every element the view reads. */
export function stridedOffsets(view: StridedView): Int32Array {
  const { shape, strides } = view;
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  if (n === 0) return out;
  if (rank === 0) {
    out[0] = view.offset;
    return out;
  }
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let base = view.offset;
  for (let i = 0; i < n; i += inner) {
    let off = base;
    for (let j = 0; j < inner; j++, off += innerStride) out[i + j] = off;
    // advance the outer dims like an odometer
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      base += strides[d];
      if (counter[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return out;
}
