// Data movement on the CPU: strided copies (permute/slice/broadcast), concat, gather and its adjoint scatter-add.

import type { DType, StridedView, TypedArray } from '../backend.js';
import { contiguousStrides } from '../backend.js';
import { alloc, release } from './pool.js';
import { sizeOf, stridedOffsets } from './strided.js';
import { collapse, forEachRow } from './walk.js';

export function copyStrided(x: TypedArray, view: StridedView, dtype: DType): TypedArray {
  const out = alloc(dtype, sizeOf(view.shape));
  const walk = collapse([view]);
  const last = walk.shape.length - 1;
  const inner = walk.shape[last];
  const s = walk.strides[0][last];
  if (last >= 1 && inner < 64) {
    // short rows (a head dim of 16 after a permute): copy a 2-D tile per step so the per-row call is amortised
    const rows = walk.shape[last - 1];
    const rs = walk.strides[0][last - 1];
    const tiles = {
      shape: [...walk.shape.slice(0, last - 1), rows * inner],
      strides: [[...walk.strides[0].slice(0, last - 1), 0]],
      offsets: walk.offsets,
    };
    forEachRow(tiles, (offs, w) => {
      for (let r = 0, o = offs[0]; r < rows; r++, o += rs, w += inner) {
        for (let j = 0; j < inner; j++) out[w + j] = x[o + j * s];
      }
    });
    return out;
  }
  forEachRow(walk, (offs, w) => {
    const o = offs[0];
    if (s === 1 && inner >= 64) out.set(x.subarray(o, o + inner), w);
    else for (let j = 0; j < inner; j++) out[w + j] = x[o + j * s];
  });
  return out;
}

export function concat(
  xs: readonly TypedArray[],
  shapes: readonly (readonly number[])[],
  axis: number,
  dtype: DType,
): TypedArray {
  const outer = sizeOf(shapes[0].slice(0, axis));
  const chunks = shapes.map((s) => sizeOf(s.slice(axis)));
  const row = chunks.reduce((p, q) => p + q, 0);
  const out = alloc(dtype, outer * row);
  let col = 0;
  xs.forEach((x, t) => {
    const c = chunks[t];
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * c, (o + 1) * c), o * row + col);
    col += c;
  });
  return out;
}

/** For every element of indexShape, the offset into a tensor of `shape` with the `axis` coordinate zeroed. */
function baseOffsets(
  shape: readonly number[],
  indexShape: readonly number[],
  axis: number,
): { offs: Int32Array; axisStride: number } {
  const strides = contiguousStrides(shape);
  const view = { shape: indexShape, strides: strides.map((s, d) => (d === axis ? 0 : s)), offset: 0 };
  return { offs: stridedOffsets(view), axisStride: strides[axis] };
}

function checkIndex(op: string, v: number, size: number, axis: number): void {
  if (v < 0 || v >= size) throw new Error(`${op}: index ${v} is out of range for axis ${axis} of size ${size}`);
}

/**
 * [outer, inner] of an index that matches `shape` on every dim but `axis` (an embedding lookup, a cross-entropy
 * pick, their scatter-adds), so both are [outer, *, inner] blocks; null when some other dim is smaller.
 */
function blocks(shape: readonly number[], indexShape: readonly number[], axis: number): [number, number] | null {
  if (indexShape.some((d, i) => i !== axis && d !== shape[i])) return null;
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis + 1))];
}

export function gather(
  x: TypedArray,
  xShape: readonly number[],
  axis: number,
  index: Int32Array,
  indexShape: readonly number[],
  dtype: DType,
): TypedArray {
  const b = blocks(xShape, indexShape, axis);
  if (b) {
    // the block walk: no per-element offset table to build first (it cost more than the gather itself)
    const [outer, inner] = b;
    const [size, k] = [xShape[axis], indexShape[axis]];
    const out = alloc(dtype, outer * k * inner);
    for (let o = 0, w = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < inner; i++, w++) {
          const v = index[w];
          if (v < 0 || v >= size) checkIndex('gather', v, size, axis);
          out[w] = x[(o * size + v) * inner + i];
        }
      }
    }
    return out;
  }
  const { offs, axisStride } = baseOffsets(xShape, indexShape, axis);
  const out = alloc(dtype, offs.length);
  const size = xShape[axis];
  for (let i = 0; i < offs.length; i++) {
    const v = index[i];
    checkIndex('gather', v, size, axis);
    out[i] = x[offs[i] + v * axisStride];
  }
  return out;
}

export function scatterAdd(
  outShape: readonly number[],
  axis: number,
  index: Int32Array,
  src: TypedArray,
  srcShape: readonly number[],
  dtype: DType,
): TypedArray {
  // sums in double precision; the scratch comes from the pool (a fresh one per call showed up in profiles)
  const acc = alloc('float64', sizeOf(outShape));
  const size = outShape[axis];
  const b = blocks(outShape, srcShape, axis);
  if (b) {
    // gather's block walk, adding in the same element order as the general path below
    const [outer, inner] = b;
    const k = srcShape[axis];
    for (let o = 0, r = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < inner; i++, r++) {
          const v = index[r];
          if (v < 0 || v >= size) checkIndex('scatterAdd', v, size, axis);
          acc[(o * size + v) * inner + i] += src[r];
        }
      }
    }
  } else {
    const { offs, axisStride } = baseOffsets(outShape, srcShape, axis);
    for (let i = 0; i < offs.length; i++) {
      const v = index[i];
      checkIndex('scatterAdd', v, size, axis);
      acc[offs[i] + v * axisStride] += src[i];
    }
  }
  if (dtype === 'float64') return acc;
  const out = alloc(dtype, acc.length);
  out.set(acc);
  release('float64', acc);
  return out;
}
