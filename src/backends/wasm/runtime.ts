// The WebAssembly kernels, compiled once from the bytes our emitters produce, and the linear memory they work in.
// The memory is scratch: operands are packed into it for a call and results copied out, so tensors stay ordinary
// typed arrays (memory() accounting, the pool and worker threads are unchanged). It grows to the largest call seen
// and is reused; nothing else keeps it alive.

import { encodeModule } from './emit.js';
import { emitAdam, type AdamDecayMode } from './adam.js';
import { emitGemm, emitPack, MR, NR } from './gemm.js';
import { emitGelu, emitGeluBackward } from './gelu.js';
import { emitBinary, emitUnary, emitWhere, WASM_BINARY_OPS, WASM_UNARY_OPS } from './map.js';
import { emitSgd } from './sgd.js';
import { emitSumBlocks, emitSumRows } from './sum.js';
import {
  emitLayerNorm,
  emitLayerNormBackward,
  emitLogSoftmaxBackward,
  emitLogSumExpParts,
  emitSoftmax,
  emitSoftmaxBackward,
  emitSubtractPerRow,
} from './rows.js';

const PAGE = 65536;

/** The exported kernels, by the signatures their emitters document. */
export interface WasmExports {
  gemm(ap: number, bp: number, cp: number, mPanels: number, nPanels: number, k: number, kc: number, mc: number): void;
  /** Packs MR-wide panels of A (see emitPack). */
  packA(src: number, dst: number, panels: number, k: number, laneStride: number, kStride: number): void;
  /** Packs NR-wide panels of B. */
  packB(src: number, dst: number, panels: number, k: number, laneStride: number, kStride: number): void;
  /** GPT-2's tanh-GELU of `count` floats (a multiple of 4). */
  gelu(x: number, out: number, count: number): void;
  /** g * gelu'(x) of `count` floats (a multiple of 4). */
  geluBackward(x: number, g: number, out: number, count: number): void;
  // The row kernels (rows.ts) over a contiguous [rows, d]; each operand needs 4 floats of slack after it.
  softmax(x: number, out: number, rows: number, d: number): void;
  /** Per row: the max shift and the sum of e^(x - shift), two floats; log-softmax is x - (log(sum) + shift). */
  logSumExpParts(x: number, parts: number, rows: number, d: number): void;
  subtractPerRow(x: number, values: number, out: number, rows: number, d: number): void;
  softmaxBackward(y: number, g: number, out: number, rows: number, d: number): void;
  logSoftmaxBackward(y: number, g: number, out: number, rows: number, d: number): void;
  layerNorm(x: number, y: number, rstd: number, rows: number, d: number, eps: number): void;
  layerNormBackward(xhat: number, rstd: number, g: number, out: number, rows: number, d: number): void;
  /** Fused SGD update in place (see emitSgd for the flags). */
  sgd(
    p: number,
    g: number,
    buf: number,
    count: number,
    lr: number,
    mom: number,
    wd: number,
    s: number,
    flags: number,
  ): void;
  /** Sums the middle axis of a contiguous [outer, r, inner], inner >= 2 (see emitSumBlocks). */
  sumBlocks(x: number, out: number, outer: number, r: number, inner: number): void;
  /** Sums each row of a contiguous [rows, d]. */
  sumRows(x: number, out: number, rows: number, d: number): void;
  /** where with a float32 condition (see emitWhere for the 13 arguments). */
  where_f32(...args: number[]): void;
  /** where with an int32 condition. */
  where_i32(...args: number[]): void;
}

/**
 * The elementwise kernels (map.ts): un_<op>(x, out, count), bin_<op>(a, aRow, aSplat, b, bRow, bSplat, out, rows,
 * cols).
 */
export type WasmMaps = Record<`un_${string}`, (x: number, out: number, count: number) => void> &
  Record<`bin_${string}`, (...args: number[]) => void>;

/** The fused Adam kernels, one per weight-decay mode (see emitAdam for the argument order). */
export type WasmAdam = Record<
  `adam_${AdamDecayMode}`,
  (p: number, g: number, m: number, v: number, count: number, ...scalars: number[]) => void
>;

/** A compiled kernel module and its memory. */
export class WasmKernels {
  readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly exports: WasmExports & WasmAdam & WasmMaps;
  private f32view = new Float32Array(this.memory.buffer);

  constructor(modules: readonly WebAssembly.Module[]) {
    const instances = modules.map((m) => new WebAssembly.Instance(m, { env: { memory: this.memory } }));
    this.exports = Object.assign({}, ...instances.map((i) => i.exports)) as WasmExports & WasmAdam & WasmMaps;
  }

  /** A float32 view of the memory, at least `bytes` long (growing the memory if needed; views are then renewed). */
  f32(bytes: number): Float32Array {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.f32view.buffer !== this.memory.buffer) this.f32view = new Float32Array(this.memory.buffer);
    return this.f32view;
  }

  /** Bytes of scratch memory reserved (it only grows). */
  get reservedBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

/**
 * The modules' bytes, each under the 4 KB that browsers compile synchronously on a page's main thread; exported
 * for the tests, which validate and disassemble-check them.
 */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer>[] {
  const adam = (['none', 'grad', 'param'] as const).map(emitAdam);
  const rows = [
    emitSoftmax(),
    emitLogSumExpParts(),
    emitSubtractPerRow(),
    emitSoftmaxBackward(),
    emitLogSoftmaxBackward(),
    emitLayerNorm(),
    emitLayerNormBackward(),
  ];
  return [
    encodeModule([emitGemm(), emitPack('packA', MR), emitPack('packB', NR), ...adam, emitGelu(), emitGeluBackward()]),
    encodeModule(rows),
    encodeModule([
      ...WASM_UNARY_OPS.map(emitUnary),
      emitSgd(),
      emitSumBlocks(),
      emitSumRows(),
      emitWhere('f32'),
      emitWhere('i32'),
    ]),
    encodeModule(WASM_BINARY_OPS.slice(0, 6).map(emitBinary)),
    encodeModule(WASM_BINARY_OPS.slice(6).map(emitBinary)),
  ];
}

let kernels: WasmKernels | null | undefined;

/**
 * The kernels, or null where WebAssembly or its SIMD128 extension is missing (the TypeScript kernels then run).
 * Compiled synchronously on first use; each module (under 4 KB, checked by a test) stays under browsers'
 * main-thread limit for that.
 */
export function wasmKernels(): WasmKernels | null {
  if (kernels === undefined) {
    kernels = null;
    if (typeof WebAssembly === 'object') {
      const modules = kernelModuleBytes();
      try {
        if (modules.every((bytes) => WebAssembly.validate(bytes))) {
          kernels = new WasmKernels(modules.map((bytes) => new WebAssembly.Module(bytes)));
        }
      } catch {
        // e.g. a page's main thread refusing synchronous compilation of a module past its size limit (Chrome: 4 KB;
        // each of these is smaller): the TypeScript kernels are the correct fallback, not a failure
        kernels = null;
      }
    }
  }
  return kernels;
}
