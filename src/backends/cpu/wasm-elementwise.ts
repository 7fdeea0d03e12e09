// The CPU backend's float32 elementwise ops, where, sums and SGD update on the WebAssembly SIMD kernels
// (backends/wasm/map.ts, sum.ts, sgd.ts). Operands are copied into the kernel memory, each followed by 4 floats of
// slack the kernels read and write into, and results copied out into pooled arrays. The copies are memcpys (typed-array
// set), several times faster per element than the scalar loops they replace. Each function returns null where its
// kernel does not apply (a layout it does not cover, or too few elements to repay the call); the caller then runs the
// TypeScript kernel, which stays the reference for every dtype and layout.

import type { BinaryOp, SgdUpdateSpec, StridedView, TypedArray, UnaryOp } from '../backend.js';
import { WASM_BINARY_OPS, WASM_UNARY_OPS } from '../wasm/map.js';
import { SGD_DECAY, SGD_MOMENTUM, SGD_SCALE } from '../wasm/sgd.js';
import type { WasmKernels } from '../wasm/runtime.js';
import { copyOut, operandLayout } from './wasm-operands.js';
import { sizeOf } from './strided.js';
import { collapse } from './walk.js';

/**
 * Below this many elements a unary or binary op stays on the TypeScript loop: a kernel call with its copies costs
 * about a microsecond before the first element, which a same-shape multiply repays only from about 1024 elements
 * (bench/elementwise-bench.ts), and so does a last-axis sum. Leading- and middle-axis sums and the SGD update have
 * slower TypeScript loops and take the kernel at any size.
 */
export const WASM_MIN_ELEMENTS = 1024;

/** A unary map of a float32 array, or null when `op` has no kernel or x is small. */
export function wasmUnary(
  kernels: WasmKernels,
  op: UnaryOp,
  x: Float32Array,
  minElements = WASM_MIN_ELEMENTS,
): Float32Array | null {
  const n = x.length;
  if (n === 0 || n < minElements || !WASM_UNARY_OPS.includes(op)) return null;
  const { mem, at } = operandLayout(kernels, [n, n]);
  mem.set(x, at[0]);
  kernels.exports[`un_${op}`](at[0] * 4, at[1] * 4, Math.ceil(n / 4) * 4);
  return copyOut(mem, at[1], n);
}

/** How the binary and where kernels read one operand: from `offset`, rows `row` apart, along each row or splatted. */
interface Operand {
  offset: number;
  row: number;
  splat: boolean;
  /** Elements from the first read to the last. */
  extent: number;
}

/**
 * The [rows, cols] walk of views of one output shape, or null unless every operand is read along rows (unit inner
 * stride) or splatted per row (zero inner stride), at least one along, with non-negative row strides, spanning at
 * most twice as many elements as the output has (copying a sparser view would cost more than the op), and the
 * output has at least `minElements`.
 */
function plan(
  views: readonly StridedView[],
  minElements: number,
): { rows: number; cols: number; n: number; operands: Operand[] } | null {
  // small ops leave before the walk is built: they are many, and the TypeScript kernel builds its own
  if (sizeOf(views[0].shape) < minElements) return null;
  const walk = collapse(views);
  const rank = walk.shape.length;
  const cols = walk.shape[rank - 1];
  const rows = rank === 2 ? walk.shape[0] : 1;
  const n = rows * cols;
  if (rank > 2 || n === 0 || n < minElements) return null;
  const operands: Operand[] = [];
  for (let i = 0; i < views.length; i++) {
    const inner = walk.strides[i][rank - 1];
    const row = rank === 2 ? walk.strides[i][0] : 0;
    if ((inner !== 0 && inner !== 1) || row < 0) return null;
    const extent = (rows - 1) * row + (cols - 1) * inner + 1;
    if (extent > 2 * n) return null;
    operands.push({ offset: walk.offsets[i], row, splat: inner === 0, extent });
  }
  return operands.every((x) => x.splat) ? null : { rows, cols, n, operands };
}

/**
 * Copies each operand's span into the kernel memory. `at` holds their float offsets, then the output's, then that
 * of a 3-vector scratch (where the where kernel splats its per-row values).
 */
function stage(
  kernels: WasmKernels,
  arrays: readonly TypedArray[],
  operands: readonly Operand[],
  n: number,
): { mem: Float32Array; at: number[] } {
  const { mem, at } = operandLayout(kernels, [...operands.map((x) => x.extent), n, 12]);
  operands.forEach((x, i) => {
    const src = arrays[i].subarray(x.offset, x.offset + x.extent);
    // an int32 condition goes in as its bits
    if (src instanceof Int32Array) new Int32Array(mem.buffer, at[i] * 4, x.extent).set(src);
    else mem.set(src, at[i]);
  });
  return { mem, at };
}

/** An operand's three kernel arguments: byte address, byte row stride, splat flag. */
const args = (x: Operand, at: number): number[] => [at * 4, x.row * 4, x.splat ? 1 : 0];

/** A float32 binary op with broadcasting, or null when `plan` refuses the views or `op` has no kernel. */
export function wasmBinary(
  kernels: WasmKernels,
  op: BinaryOp,
  a: Float32Array,
  av: StridedView,
  b: Float32Array,
  bv: StridedView,
  minElements = WASM_MIN_ELEMENTS,
): Float32Array | null {
  const p = WASM_BINARY_OPS.includes(op) ? plan([av, bv], minElements) : null;
  if (!p) return null;
  const [A, B] = p.operands;
  if (A.splat && B.splat) return null;
  const { mem, at } = stage(kernels, [a, b], p.operands, p.n);
  kernels.exports[`bin_${op}`](...args(A, at[0]), ...args(B, at[1]), at[2] * 4, p.rows, p.cols);
  return copyOut(mem, at[2], p.n);
}

/**
 * where(cond, a, b) for float32 a and b and a float32 or int32 condition, broadcasting, or null when `plan`
 * refuses the views.
 */
export function wasmWhere(
  kernels: WasmKernels,
  cond: Float32Array | Int32Array,
  cv: StridedView,
  a: Float32Array,
  av: StridedView,
  b: Float32Array,
  bv: StridedView,
  minElements = WASM_MIN_ELEMENTS,
): Float32Array | null {
  const p = plan([cv, av, bv], minElements);
  if (!p) return null;
  const { mem, at } = stage(kernels, [cond, a, b], p.operands, p.n);
  const [C, A, B] = p.operands;
  const kernel = cond instanceof Int32Array ? kernels.exports.where_i32 : kernels.exports.where_f32;
  kernel(...args(C, at[0]), ...args(A, at[1]), ...args(B, at[2]), at[3] * 4, p.rows, p.cols, at[4] * 4);
  return copyOut(mem, at[3], p.n);
}

/**
 * The sum of a float32 tensor viewed as [outer, r, inner] over r (the reduced axes being one consecutive run), or
 * null when nothing is summed, nothing comes out, or it is a small last-axis sum.
 */
export function wasmSum(
  kernels: WasmKernels,
  x: Float32Array,
  outer: number,
  r: number,
  inner: number,
  minElements = WASM_MIN_ELEMENTS,
): Float32Array | null {
  const n = outer * inner;
  // a last-axis sum is as cheap a loop in TypeScript as a map, so it takes the maps' threshold
  if (r === 0 || n === 0 || (inner === 1 && x.length < minElements)) return null;
  const { mem, at } = operandLayout(kernels, [x.length, n]);
  mem.set(x, at[0]);
  if (inner === 1) kernels.exports.sumRows(at[0] * 4, at[1] * 4, outer, r);
  else kernels.exports.sumBlocks(at[0] * 4, at[1] * 4, outer, r, inner);
  return copyOut(mem, at[1], n);
}

/** The float32 SGD update, bit-identical to `sgdUpdate` (cpu/sgd.ts), or null for an empty parameter. */
export function wasmSgdUpdate(
  kernels: WasmKernels,
  param: Float32Array,
  grad: Float32Array,
  buffer: Float32Array | undefined,
  spec: SgdUpdateSpec,
  scale: number | undefined,
): { param: Float32Array; momentumBuffer?: Float32Array } | null {
  const n = param.length;
  if (n === 0) return null;
  const { mem, at } = operandLayout(kernels, [n, n, buffer ? n : 0]);
  const [pAt, gAt, bufAt] = at;
  mem.set(param, pAt);
  mem.set(grad, gAt);
  if (buffer) mem.set(buffer, bufAt);
  const flags =
    (scale === undefined ? 0 : SGD_SCALE) | (spec.weightDecay > 0 ? SGD_DECAY : 0) | (buffer ? SGD_MOMENTUM : 0);
  const count = Math.ceil(n / 4) * 4;
  kernels.exports.sgd(pAt * 4, gAt * 4, bufAt * 4, count, spec.lr, spec.momentum, spec.weightDecay, scale ?? 1, flags);
  const out = copyOut(mem, pAt, n);
  return buffer ? { param: out, momentumBuffer: copyOut(mem, bufAt, n) } : { param: out };
}
