// The CPU backend: pure TypeScript over typed arrays. The float64 path is the oracle all others are checked against.

import type {
  AdamUpdateSpec,
  Backend,
  BinaryOp,
  DType,
  MatmulSpec,
  ReduceOp,
  SgdUpdateSpec,
  Storage,
  StridedView,
  TypedArray,
  UnaryOp,
} from '../backend.js';
import { DTYPE_BYTES } from '../backend.js';
import { adamUpdate, wasmAdamUpdate } from './adam.js';
import { sgdUpdate } from './sgd.js';
import { globalNorm } from './norm.js';
import { alloc, pooledBytes, release } from './pool.js';
import * as ew from './elementwise.js';
import * as fused from './fused.js';
import * as layout from './layout.js';
import { matmulInto } from './matmul.js';
import { blockShape, reduce } from './reduce.js';
import { sizeOf } from './strided.js';
import { threadedMatmul } from './threads.js';
import { wasmKernels, type WasmKernels } from '../wasm/runtime.js';
import { wasmMatmul } from './wasm-matmul.js';
import { WASM_MIN_ELEMENTS, wasmBinary, wasmSgdUpdate, wasmSum, wasmUnary, wasmWhere } from './wasm-elementwise.js';
import {
  wasmGelu,
  wasmGeluBackward,
  wasmLayerNorm,
  wasmLayerNormBackward,
  wasmLogSoftmax,
  wasmLogSoftmaxBackward,
  wasmSoftmax,
  wasmSoftmaxBackward,
} from './wasm-fused.js';

export class CpuStorage implements Storage {
  readonly backend = 'cpu';
  constructor(
    readonly dtype: DType,
    readonly data: TypedArray,
  ) {}
  get size(): number {
    return this.data.length;
  }
}

function arr(s: Storage): TypedArray {
  return (s as CpuStorage).data;
}

/** Options of a CPU backend. */
export interface CpuBackendOptions {
  /**
   * Run float32 kernels as WebAssembly SIMD where the engine has it (default true); false keeps every kernel on
   * the TypeScript reference path, which also runs wherever WebAssembly SIMD is missing.
   */
  wasm?: boolean;
  /**
   * Fewest elements for which a unary or binary op or a last-axis sum runs as wasm (default WASM_MIN_ELEMENTS,
   * where the kernel call starts to pay); 0 sends every size there, as the tests do.
   */
  wasmMinElements?: number;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtypes = ['float32', 'float64', 'int32'] as const;
  private live = 0;
  private liveBytes = 0;
  /** The WebAssembly SIMD kernels the float32 paths use, or null for the TypeScript kernels. */
  readonly kernels: WasmKernels | null;
  private readonly wasmMinElements: number;

  constructor(options: CpuBackendOptions = {}) {
    this.kernels = options.wasm === false ? null : wasmKernels();
    this.wasmMinElements = options.wasmMinElements ?? WASM_MIN_ELEMENTS;
  }

  /** The wasm kernels when `x` is float32 and they exist (float64 stays on the TypeScript kernels). */
  private f32Kernels(x: Storage): WasmKernels | null {
    return x.dtype === 'float32' ? this.kernels : null;
  }

  private wrap(dtype: DType, data: TypedArray): CpuStorage {
    this.live++;
    this.liveBytes += data.length * DTYPE_BYTES[dtype];
    return new CpuStorage(dtype, data);
  }

  fromArray(data: TypedArray, dtype: DType): Storage {
    const copy = alloc(dtype, data.length);
    copy.set(data);
    return this.wrap(dtype, copy);
  }
  zeros(size: number, dtype: DType): Storage {
    return this.wrap(dtype, alloc(dtype, size));
  }
  async read(s: Storage): Promise<TypedArray> {
    return this.readSync(s);
  }
  readSync(s: Storage): TypedArray {
    return arr(s);
  }
  dispose(s: Storage): void {
    release(s.dtype, arr(s));
    this.live--;
    this.liveBytes -= s.size * DTYPE_BYTES[s.dtype];
  }
  memory() {
    return { buffers: this.live, bytes: this.liveBytes, pooledBytes: pooledBytes() };
  }

  unary(op: UnaryOp, x: Storage): Storage {
    const k = this.f32Kernels(x);
    const fast = k && wasmUnary(k, op, arr(x) as Float32Array, this.wasmMinElements);
    return this.wrap(x.dtype, fast || ew.unary(op, arr(x), x.dtype));
  }
  binary(op: BinaryOp, a: Storage, av: StridedView, b: Storage, bv: StridedView, outDtype: DType): Storage {
    const k = b.dtype === 'float32' && outDtype === 'float32' ? this.f32Kernels(a) : null;
    const fast = k && wasmBinary(k, op, arr(a) as Float32Array, av, arr(b) as Float32Array, bv, this.wasmMinElements);
    return this.wrap(outDtype, fast || ew.binary(op, arr(a), av, arr(b), bv, outDtype));
  }
  where(cond: Storage, cv: StridedView, a: Storage, av: StridedView, b: Storage, bv: StridedView): Storage {
    const k = b.dtype === 'float32' && cond.dtype !== 'float64' ? this.f32Kernels(a) : null;
    const c = arr(cond) as Float32Array | Int32Array;
    const fast = k && wasmWhere(k, c, cv, arr(a) as Float32Array, av, arr(b) as Float32Array, bv, this.wasmMinElements);
    return this.wrap(a.dtype, fast || ew.where(arr(cond), cv, arr(a), av, arr(b), bv, a.dtype));
  }
  cast(x: Storage, dtype: DType): Storage {
    return this.wrap(dtype, ew.cast(arr(x), dtype));
  }
  copyStrided(x: Storage, view: StridedView): Storage {
    return this.wrap(x.dtype, layout.copyStrided(arr(x), view, x.dtype));
  }
  reduce(op: ReduceOp, x: Storage, shape: readonly number[], axes: readonly number[]): Storage {
    const dtype = op === 'argmax' ? 'int32' : x.dtype;
    const k = op === 'sum' ? this.f32Kernels(x) : null;
    const blocks = k && blockShape(shape, axes);
    const fast =
      blocks && wasmSum(k, arr(x) as Float32Array, blocks.outer, blocks.r, blocks.inner, this.wasmMinElements);
    return this.wrap(dtype, fast || reduce(op, arr(x), shape, axes, x.dtype));
  }
  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    const out = alloc(a.dtype, sizeOf(spec.batchShape) * spec.m * spec.n);
    if (this.kernels && a.dtype === 'float32')
      wasmMatmul(this.kernels, arr(a) as Float32Array, arr(b) as Float32Array, out as Float32Array, spec);
    else if (!threadedMatmul(arr(a), arr(b), out, spec)) matmulInto(arr(a), arr(b), out, spec);
    return this.wrap(a.dtype, out);
  }
  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage {
    return this.wrap(xs[0].dtype, layout.concat(xs.map(arr), shapes, axis, xs[0].dtype));
  }
  gather(x: Storage, xShape: readonly number[], axis: number, index: Storage, indexShape: readonly number[]): Storage {
    return this.wrap(x.dtype, layout.gather(arr(x), xShape, axis, arr(index) as Int32Array, indexShape, x.dtype));
  }
  scatterAdd(
    outShape: readonly number[],
    axis: number,
    index: Storage,
    src: Storage,
    srcShape: readonly number[],
  ): Storage {
    return this.wrap(
      src.dtype,
      layout.scatterAdd(outShape, axis, arr(index) as Int32Array, arr(src), srcShape, src.dtype),
    );
  }

  softmax(x: Storage, rows: number, d: number): Storage {
    const k = this.f32Kernels(x);
    if (k) return this.wrap(x.dtype, wasmSoftmax(k, arr(x) as Float32Array, rows, d));
    return this.wrap(x.dtype, fused.softmax(arr(x), rows, d, x.dtype));
  }
  logSoftmax(x: Storage, rows: number, d: number): Storage {
    const k = this.f32Kernels(x);
    if (k) return this.wrap(x.dtype, wasmLogSoftmax(k, arr(x) as Float32Array, rows, d));
    return this.wrap(x.dtype, fused.logSoftmax(arr(x), rows, d, x.dtype));
  }
  softmaxBackward(y: Storage, g: Storage, rows: number, d: number): Storage {
    const k = this.f32Kernels(y);
    if (k) return this.wrap(y.dtype, wasmSoftmaxBackward(k, arr(y) as Float32Array, arr(g) as Float32Array, rows, d));
    return this.wrap(y.dtype, fused.softmaxBackward(arr(y), arr(g), rows, d, y.dtype));
  }
  logSoftmaxBackward(y: Storage, g: Storage, rows: number, d: number): Storage {
    const k = this.f32Kernels(y);
    if (k)
      return this.wrap(y.dtype, wasmLogSoftmaxBackward(k, arr(y) as Float32Array, arr(g) as Float32Array, rows, d));
    return this.wrap(y.dtype, fused.logSoftmaxBackward(arr(y), arr(g), rows, d, y.dtype));
  }
  layerNorm(x: Storage, rows: number, d: number, eps: number): { y: Storage; rstd: Storage } {
    const k = this.f32Kernels(x);
    const { y, rstd } = k
      ? wasmLayerNorm(k, arr(x) as Float32Array, rows, d, eps)
      : fused.layerNorm(arr(x), rows, d, eps, x.dtype);
    return { y: this.wrap(x.dtype, y), rstd: this.wrap(x.dtype, rstd) };
  }
  layerNormBackward(xhat: Storage, rstd: Storage, g: Storage, rows: number, d: number): Storage {
    const k = this.f32Kernels(xhat);
    const [x, r, gr] = [xhat, rstd, g].map(arr);
    return this.wrap(
      xhat.dtype,
      k
        ? wasmLayerNormBackward(k, x as Float32Array, r as Float32Array, gr as Float32Array, rows, d)
        : fused.layerNormBackward(x, r, gr, rows, d, xhat.dtype),
    );
  }
  gelu(x: Storage): Storage {
    if (this.kernels && x.dtype === 'float32')
      return this.wrap(x.dtype, wasmGelu(this.kernels, arr(x) as Float32Array));
    return this.wrap(x.dtype, fused.gelu(arr(x), x.dtype));
  }
  geluBackward(x: Storage, g: Storage): Storage {
    if (this.kernels && x.dtype === 'float32') {
      return this.wrap(x.dtype, wasmGeluBackward(this.kernels, arr(x) as Float32Array, arr(g) as Float32Array));
    }
    return this.wrap(x.dtype, fused.geluBackward(arr(x), arr(g), x.dtype));
  }

  adamUpdate(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    spec: AdamUpdateSpec,
    gradScale?: Storage,
  ): { param: Storage; m: Storage; v: Storage } {
    const scale = gradScale ? arr(gradScale)[0] : 1;
    const [p, g, m1, v1] = [param, grad, m, v].map(arr);
    const out =
      this.kernels && param.dtype === 'float32'
        ? wasmAdamUpdate(
            this.kernels,
            p as Float32Array,
            g as Float32Array,
            m1 as Float32Array,
            v1 as Float32Array,
            spec,
            scale,
          )
        : adamUpdate(p, g, m1, v1, spec, scale, param.dtype);
    const dtype = param.dtype;
    return { param: this.wrap(dtype, out.param), m: this.wrap(dtype, out.m), v: this.wrap(dtype, out.v) };
  }

  globalNorm(xs: readonly Storage[], maxNorm?: number): { norm: Storage; scale?: Storage } {
    const dtype = xs[0]?.dtype ?? 'float32';
    const out = globalNorm(xs.map(arr), maxNorm, dtype);
    return { norm: this.wrap(dtype, out.norm), scale: out.scale && this.wrap(dtype, out.scale) };
  }

  sgdUpdate(
    param: Storage,
    grad: Storage,
    momentumBuffer: Storage | undefined,
    spec: SgdUpdateSpec,
    gradScale?: Storage,
  ): { param: Storage; momentumBuffer?: Storage } {
    const scale = gradScale ? arr(gradScale)[0] : undefined;
    const buffer = momentumBuffer ? arr(momentumBuffer) : undefined;
    const k = this.f32Kernels(param);
    const fast =
      k && wasmSgdUpdate(k, arr(param) as Float32Array, arr(grad) as Float32Array, buffer as Float32Array, spec, scale);
    const out = fast || sgdUpdate(arr(param), arr(grad), buffer, spec, scale, param.dtype);
    const next = out.momentumBuffer ? this.wrap(param.dtype, out.momentumBuffer) : undefined;
    return { param: this.wrap(param.dtype, out.param), ...(next ? { momentumBuffer: next } : {}) };
  }
}
