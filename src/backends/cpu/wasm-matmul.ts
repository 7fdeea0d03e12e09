// float32 matmul on the WebAssembly SIMD kernel (backends/wasm/gemm.ts). Each batch entry's A and B are copied
// into the kernel's memory as they are (a memcpy), packed there by the wasm pack kernels (which absorb transposes;
// the last, partial panel is padded here), multiplied, and the m x n result is copied out. Copies and packing are
// O(mk + kn) against the kernel's O(mnk), and tensors stay plain typed arrays (the memory accounting, the pool and
// the worker threads need nothing new).

import type { MatmulSpec } from '../backend.js';
import { MR, NR } from '../wasm/gemm.js';
import type { WasmKernels } from '../wasm/runtime.js';
import { batchOffsets } from './matmul.js';

/** Depth of one k-block: a kc x NR micro-panel of B (8 KB) stays in L1 while the A panels stream past it. */
const KC = 256;
/** A panels per block: an (MC*MR) x KC block of A (128 KB) stays in L2 while every B panel passes it. */
const MC = 32;

/**
 * Packs `lanes` lanes of a panel-wide operand (logical rows of A, or columns of B) at `raw` in memory into panels
 * of `width` at `dst`: whole panels in wasm, the partial last one here, zero-padded.
 */
function pack(
  kernels: WasmKernels,
  mem: Float32Array,
  which: 'packA' | 'packB',
  width: number,
  raw: number,
  dst: number,
  lanes: number,
  k: number,
  laneStride: number,
  kStride: number,
): void {
  const whole = Math.floor(lanes / width);
  kernels.exports[which](raw * 4, dst * 4, whole, k, laneStride, kStride);
  const left = lanes - whole * width;
  if (left === 0) return;
  let w = dst + whole * width * k;
  const first = raw + whole * width * laneStride;
  for (let p = 0; p < k; p++, w += width) {
    for (let l = 0; l < width; l++) mem[w + l] = l < left ? mem[first + l * laneStride + p * kStride] : 0;
  }
}

/** out (batch x m x n) = op(A) @ op(B) for every batch entry, on the wasm kernel. */
export function wasmMatmul(
  kernels: WasmKernels,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  spec: MatmulSpec,
): void {
  const { n, k, transA, transB } = spec;
  let { m } = spec;
  let aOffs = batchOffsets(spec.batchShape, spec.aBatchStrides);
  let bOffs = batchOffsets(spec.batchShape, spec.bBatchStrides);
  // a shared B under a stack of untransposed As (x @ W over a batch) is one tall matmul
  if (
    aOffs.length > 1 &&
    !transA &&
    bOffs.every((o) => o === bOffs[0]) &&
    aOffs.every((o, i) => o === aOffs[0] + i * m * k)
  ) {
    m *= aOffs.length;
    aOffs = aOffs.subarray(0, 1);
    bOffs = bOffs.subarray(0, 1);
  }
  const mPanels = Math.ceil(m / MR),
    nPanels = Math.ceil(n / NR);
  const ldc = nPanels * NR;
  // memory layout (in floats): raw A | raw B | packed A | packed B | C
  const rawA = 0,
    rawB = m * k,
    packedA = rawB + k * n,
    packedB = packedA + mPanels * MR * k;
  const c = packedB + nPanels * NR * k,
    cLen = mPanels * MR * ldc;
  const mem = kernels.f32((c + cLen) * 4);
  const cView = mem.subarray(c, c + cLen);
  const mn = m * n;
  for (let batch = 0; batch < aOffs.length; batch++) {
    if (batch === 0 || aOffs[batch] !== aOffs[batch - 1]) {
      mem.set(a.subarray(aOffs[batch], aOffs[batch] + m * k), rawA);
      pack(kernels, mem, 'packA', MR, rawA, packedA, m, k, transA ? 1 : k, transA ? m : 1);
    }
    if (batch === 0 || bOffs[batch] !== bOffs[batch - 1]) {
      mem.set(b.subarray(bOffs[batch], bOffs[batch] + k * n), rawB);
      pack(kernels, mem, 'packB', NR, rawB, packedB, n, k, transB ? k : 1, transB ? 1 : n);
    }
    cView.fill(0);
    kernels.exports.gemm(packedA * 4, packedB * 4, c * 4, mPanels, nPanels, k, KC, MC);
    if (ldc === n) out.set(cView.subarray(0, mn), batch * mn);
    else for (let i = 0; i < m; i++) out.set(cView.subarray(i * ldc, i * ldc + n), batch * mn + i * n);
  }
}
