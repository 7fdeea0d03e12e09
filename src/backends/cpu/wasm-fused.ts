// The CPU backend's float32 GELU and row kernels (softmax, logSoftmax, layerNorm, forward and backward) on the
// WebAssembly SIMD kernels (backends/wasm/gelu.ts, rows.ts): inputs copied into the kernel memory (padded to whole
// vectors), results copied out into pooled arrays.

import type { WasmKernels } from '../wasm/runtime.js';
import { alloc } from './pool.js';
import { copyOut, operandLayout } from './wasm-operands.js';

function run(
  kernels: WasmKernels,
  inputs: readonly Float32Array[],
  call: (addresses: number[], count: number) => void,
): Float32Array {
  const n = inputs[0].length;
  const padded = Math.ceil(n / 4) * 4;
  const mem = kernels.f32(padded * 4 * (inputs.length + 1));
  inputs.forEach((x, i) => mem.set(x, i * padded));
  const outAt = inputs.length * padded;
  call([...inputs.map((_, i) => i * padded * 4), outAt * 4], padded);
  const out = alloc('float32', n) as Float32Array;
  out.set(mem.subarray(outAt, outAt + n));
  return out;
}

export function wasmGelu(kernels: WasmKernels, x: Float32Array): Float32Array {
  return run(kernels, [x], ([xa, out], count) => kernels.exports.gelu(xa, out, count));
}

export function wasmGeluBackward(kernels: WasmKernels, x: Float32Array, g: Float32Array): Float32Array {
  return run(kernels, [x, g], ([xa, ga, out], count) => kernels.exports.geluBackward(xa, ga, out, count));
}

/** Runs a row kernel over inputs of rows * d floats, giving one output of the same size. */
function rowKernel(
  kernels: WasmKernels,
  inputs: readonly Float32Array[],
  call: (addresses: number[]) => void,
): Float32Array {
  const n = inputs[0].length;
  const { mem, at } = operandLayout(kernels, [...inputs.map((x) => x.length), n]);
  inputs.forEach((x, i) => mem.set(x, at[i]));
  call(at.map((a) => a * 4));
  return copyOut(mem, at[inputs.length], n);
}

/** softmax over the last axis of a contiguous float32 [rows, d]. */
export function wasmSoftmax(kernels: WasmKernels, x: Float32Array, rows: number, d: number): Float32Array {
  return rowKernel(kernels, [x], ([xa, out]) => kernels.exports.softmax(xa, out, rows, d));
}

/** log-softmax: the kernel's per-row shift and sum of exponentials, log taken here (WebAssembly has no log). */
export function wasmLogSoftmax(kernels: WasmKernels, x: Float32Array, rows: number, d: number): Float32Array {
  const { mem, at } = operandLayout(kernels, [x.length, 2 * rows, x.length]);
  const [xAt, partsAt, outAt] = at;
  mem.set(x, xAt);
  kernels.exports.logSumExpParts(xAt * 4, partsAt * 4, rows, d);
  for (let r = 0; r < rows; r++) mem[partsAt + r] = Math.log(mem[partsAt + 2 * r + 1]) + mem[partsAt + 2 * r];
  kernels.exports.subtractPerRow(xAt * 4, partsAt * 4, outAt * 4, rows, d);
  return copyOut(mem, outAt, x.length);
}

/** dx = y (g - sum_row(g y)) for y = softmax(x). */
export function wasmSoftmaxBackward(
  kernels: WasmKernels,
  y: Float32Array,
  g: Float32Array,
  rows: number,
  d: number,
): Float32Array {
  return rowKernel(kernels, [y, g], ([ya, ga, out]) => kernels.exports.softmaxBackward(ya, ga, out, rows, d));
}

/** dx = g - e^y sum_row(g) for y = logSoftmax(x). */
export function wasmLogSoftmaxBackward(
  kernels: WasmKernels,
  y: Float32Array,
  g: Float32Array,
  rows: number,
  d: number,
): Float32Array {
  return rowKernel(kernels, [y, g], ([ya, ga, out]) => kernels.exports.logSoftmaxBackward(ya, ga, out, rows, d));
}

/** xhat and per-row rstd of layer normalisation over the last axis. */
export function wasmLayerNorm(
  kernels: WasmKernels,
  x: Float32Array,
  rows: number,
  d: number,
  eps: number,
): {
  y: Float32Array;
  rstd: Float32Array;
} {
  const { mem, at } = operandLayout(kernels, [x.length, x.length, rows]);
  const [xAt, yAt, rstdAt] = at;
  mem.set(x, xAt);
  kernels.exports.layerNorm(xAt * 4, yAt * 4, rstdAt * 4, rows, d, eps);
  return { y: copyOut(mem, yAt, x.length), rstd: copyOut(mem, rstdAt, rows) };
}

/** dx = rstd (g - mean_row(g) - xhat mean_row(g xhat)). */
export function wasmLayerNormBackward(
  kernels: WasmKernels,
  xhat: Float32Array,
  rstd: Float32Array,
  g: Float32Array,
  rows: number,
  d: number,
): Float32Array {
  const { mem, at } = operandLayout(kernels, [xhat.length, rows, g.length, xhat.length]);
  const [xAt, rAt, gAt, outAt] = at;
  mem.set(xhat, xAt);
  mem.set(rstd, rAt);
  mem.set(g, gAt);
  kernels.exports.layerNormBackward(xAt * 4, rAt * 4, gAt * 4, outAt * 4, rows, d);
  return copyOut(mem, outAt, xhat.length);
}
