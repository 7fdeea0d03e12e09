// Where the CPU backend's wasm kernels find their operands: one layout of the kernel memory and one copy back out,
// shared by the row kernels (wasm-fused.ts) and the elementwise kernels (wasm-elementwise.ts).

import type { WasmKernels } from '../wasm/runtime.js';
import { alloc } from './pool.js';

/**
 * Float offsets for operands of the given lengths in the kernel memory, each rounded up to whole f32x4 vectors plus
 * 4 floats of slack that the kernels may read and write past the end.
 */
export function operandLayout(kernels: WasmKernels, lengths: readonly number[]): { mem: Float32Array; at: number[] } {
  const at: number[] = [];
  let end = 0;
  for (const n of lengths) {
    at.push(end);
    end += Math.ceil(n / 4) * 4 + 4;
  }
  return { mem: kernels.f32(end * 4), at };
}

/** Copies n floats at `at` out of the kernel memory into a pooled array. */
export function copyOut(mem: Float32Array, at: number, n: number): Float32Array {
  const out = alloc('float32', n) as Float32Array;
  out.set(mem.subarray(at, at + n));
  return out;
}
