// The CPU backend's float32 GELU forward and backward on the WebAssembly SIMD kernels (backends/wasm/gelu.ts):
// inputs copied into the kernel memory (padded to whole vectors), the result copied out into a pooled array.

import type { WasmKernels } from '../wasm/runtime.js';
import { alloc } from './pool.js';

function run(kernels: WasmKernels, inputs: readonly Float32Array[], call: (addresses: number[], count: number) => void): Float32Array {
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
