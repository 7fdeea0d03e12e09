// Reductions over any set of axes. The tensor is viewed as [outer, reduced, inner] blocks where possible;
// the general case walks the input once and adds each element into its output slot.

import type { DType, ReduceOp, TypedArray } from '../backend.js';
import { alloc } from './pool.js';
import { sizeOf } from './strided.js';

/** True when the reduced axes form one consecutive run, so the input is [outer, reduced, inner]. */
function consecutive(axes: readonly number[]): boolean {
  const sorted = [...axes].sort((p, q) => p - q);
  return sorted.every((a, i) => i === 0 || a === sorted[i - 1] + 1);
}

/** [outer, r, inner] of a reduction over `axes` when they form one consecutive run (r is reduced), else null. */
export function blockShape(
  shape: readonly number[],
  axes: readonly number[],
): { outer: number; r: number; inner: number } | null {
  if (axes.length === 0 || !consecutive(axes)) return null;
  const first = Math.min(...axes);
  const last = Math.max(...axes);
  return {
    outer: sizeOf(shape.slice(0, first)),
    r: sizeOf(shape.slice(first, last + 1)),
    inner: sizeOf(shape.slice(last + 1)),
  };
}

export function reduce(
  op: ReduceOp,
  x: TypedArray,
  shape: readonly number[],
  axes: readonly number[],
  dtype: DType,
): TypedArray {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = sizeOf(outShape);
  if (axes.length === 0) return op === 'argmax' ? new Int32Array(outSize) : x.slice();
  const blocks = blockShape(shape, axes);
  if (blocks) return reduceBlocks(op, x, blocks.outer, blocks.r, blocks.inner, dtype);
  if (op === 'argmax') throw new Error('argmax: takes exactly one axis');
  return reduceScattered(op, x, shape, axes, outShape, outSize, dtype);
}

function reduceBlocks(op: ReduceOp, x: TypedArray, outer: number, r: number, inner: number, dtype: DType): TypedArray {
  const out = alloc(op === 'argmax' ? 'int32' : dtype, outer * inner);
  if (inner === 1) {
    // the common case (last axis): a straight run per output, accumulated in double precision
    for (let o = 0; o < outer; o++) {
      const base = o * r;
      if (op === 'sum') {
        let s = 0;
        for (let j = 0; j < r; j++) s += x[base + j];
        out[o] = s;
      } else {
        let best = -Infinity;
        let arg = 0;
        for (let j = 0; j < r; j++) {
          const v = x[base + j];
          if (v > best || v !== v) {
            best = v;
            arg = j;
            if (v !== v) break; // NaN wins, like torch
          }
        }
        out[o] = op === 'max' ? (r === 0 ? -Infinity : best) : arg;
      }
    }
    return out;
  }
  const acc = new Float64Array(inner);
  const arg = new Int32Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(op === 'sum' ? 0 : -Infinity);
    arg.fill(0);
    for (let j = 0; j < r; j++) {
      const base = (o * r + j) * inner;
      if (op === 'sum') {
        for (let i = 0; i < inner; i++) acc[i] += x[base + i];
      } else {
        for (let i = 0; i < inner; i++) {
          const v = x[base + i];
          const best = acc[i];
          if ((v > best || v !== v) && best === best) {
            acc[i] = v;
            arg[i] = j;
          }
        }
      }
    }
    const dst = o * inner;
    if (op === 'argmax') for (let i = 0; i < inner; i++) out[dst + i] = arg[i];
    else for (let i = 0; i < inner; i++) out[dst + i] = acc[i];
  }
  return out;
}

function reduceScattered(
  op: ReduceOp,
  x: TypedArray,
  shape: readonly number[],
  axes: readonly number[],
  outShape: number[],
  outSize: number,
  dtype: DType,
): TypedArray {
  const rank = shape.length;
  const outStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    outStrides[d] = axes.includes(d) ? 0 : s;
    s *= outShape[d];
  }
  const acc = new Float64Array(outSize).fill(op === 'sum' ? 0 : -Infinity);
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (op === 'sum') acc[o] += v;
    else if ((v > acc[o] || v !== v) && acc[o] === acc[o]) acc[o] = v;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      o += outStrides[d];
      if (counter[d] < shape[d]) break;
      o -= outStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
  const out = alloc(dtype, outSize);
  out.set(acc);
  return out;
}
