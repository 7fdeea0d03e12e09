// The WebGPU backend: float32 and int32 tensors in GPU buffers, every Backend primitive as a WGSL kernel.
// `await initWebGPU()` finds a device and registers the backend as 'webgpu'.
//
// memory() counts what the tensor layer sees: live storages and their logical bytes (size x 4). Buffers resting in
// the pool for reuse are not counted there; poolInfo() reports them, so a leak test reads memory() and a capacity
// question reads both.

import type { GPUBuffer } from './gpu-types.js';
import type {
  AdamUpdateSpec,
  AttentionSpec,
  Backend,
  BinaryOp,
  DType,
  MatmulSpec,
  MemoryInfo,
  ReduceOp,
  Storage,
  StridedView,
  TypedArray,
  UnaryOp,
} from '../backend.js';
import { registerBackend, registerBackendInitialiser, sizeOf } from '../backend.js';
import { acquireDevice } from './device.js';
import * as ew from './elementwise.js';
import * as fused from './fused.js';
import * as idx from './indexing.js';
import * as layout from './layout.js';
import { matmul } from './matmul.js';
import { affine, affineBackward } from './affine.js';
import { attention, attentionBackward } from './attention.js';
import { globalNorm } from './norm.js';
import { adamUpdate } from './optim.js';
import { dropout } from './random.js';
import type { PoolInfo } from './pool.js';
import { reduce } from './reduce.js';
import { Runner, type WebGPUStats } from './runner.js';
import { warmUp } from './warm.js';

export class WebGPUStorage implements Storage {
  readonly backend = 'webgpu';
  /** For int32 storages whose values the CPU already knows (uploaded ids, and strided views of them): where they are.
   *  scatterAdd plans its sums from these instead of searching on the GPU. */
  host?: idx.HostIndex;
  private buf: GPUBuffer | null;

  /**
   * `constantBits`: a one-element storage made from a CPU number (the scalar operand of `x.mul(0.9)`) keeps its 32
   * bits here; binary ops pass them to the kernel as a uniform, and a GPU buffer is uploaded only when some other
   * kernel needs one (`buffer`). Most scalars of a step then cost no upload at all.
   */
  constructor(
    readonly dtype: DType,
    readonly size: number,
    buffer: GPUBuffer | null,
    readonly constantBits?: number,
    private readonly materialize?: () => GPUBuffer,
  ) {
    this.buf = buffer;
  }

  get buffer(): GPUBuffer {
    this.buf ??= this.materialize!();
    return this.buf;
  }

  /** The buffer if it exists (a constant that never needed one has none to release). */
  get existingBuffer(): GPUBuffer | null {
    return this.buf;
  }
}

function gpuBuffer(s: Storage): GPUBuffer {
  return (s as WebGPUStorage).buffer;
}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly dtypes = ['float32', 'int32'] as const;
  private live = 0;
  private liveBytes = 0;

  constructor(
    private readonly rt: Runner,
    readonly adapterName: string,
  ) {}

  /** True once the device is lost or destroyed (initWebGPU then makes a new one). */
  get failed(): boolean {
    return this.rt.failed;
  }

  private wrap(
    dtype: DType,
    size: number,
    buffer: GPUBuffer | null,
    constantBits?: number,
    materialize?: () => GPUBuffer,
  ): WebGPUStorage {
    this.live++;
    this.liveBytes += size * 4;
    return new WebGPUStorage(dtype, size, buffer, constantBits, materialize);
  }

  private checkDType(op: string, dtype: DType): void {
    if (dtype === 'float64') {
      throw new Error(
        `${op}: the webgpu backend has no float64 (WGSL has no 64-bit floats); ` +
          'use float32, or the cpu backend for float64',
      );
    }
  }

  fromArray(data: TypedArray, dtype: DType): Storage {
    this.checkDType('fromArray', dtype);
    const typed =
      dtype === 'int32' ? Int32Array.from(data) : data instanceof Float32Array ? data : Float32Array.from(data);
    if (typed.length === 1) {
      const bits = new Uint32Array(typed.buffer, typed.byteOffset, 1)[0];
      return this.wrap(dtype, 1, null, bits, () => this.rt.upload('fromArray', typed));
    }
    // all zeros (fresh optimizer state, gradient padding): cleared on the GPU rather than uploaded
    if (typed.every((v) => Object.is(v, 0))) return this.zeros(typed.length, dtype);
    const s = this.wrap(dtype, typed.length, this.rt.upload('fromArray', typed));
    if (typed instanceof Int32Array)
      s.host = { values: typed, view: { shape: [typed.length], strides: [1], offset: 0 } };
    return s;
  }
  zeros(size: number, dtype: DType): Storage {
    this.checkDType('zeros', dtype);
    return this.wrap(dtype, size, this.rt.zeros('zeros', size * 4));
  }
  async read(s: Storage): Promise<TypedArray> {
    const bytes = await this.rt.read(gpuBuffer(s), s.size * 4);
    return s.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }
  dispose(s: Storage): void {
    this.live--;
    this.liveBytes -= s.size * 4;
    const buf = (s as WebGPUStorage).existingBuffer;
    if (buf) this.rt.release(buf);
  }
  memory(): MemoryInfo {
    return { buffers: this.live, bytes: this.liveBytes };
  }
  /** Free buffers kept for reuse (not part of memory()). */
  poolInfo(): PoolInfo {
    return this.rt.pool.info();
  }
  /** Cumulative dispatches, uploads, submits, readbacks and pipelines created: subtract two calls to cost a step. */
  stats(): WebGPUStats {
    return this.rt.stats();
  }
  /**
   * Compiles the kernels a training step uses (every elementwise op, reductions, matmul variants, the fused kernels,
   * indexing, AdamW, dropout) with createComputePipelineAsync, so the first step does not stall on ~30 synchronous
   * compilations. Resolves to the number compiled. Optional: kernels not warmed compile on first use.
   */
  async warmUp(): Promise<number> {
    return warmUp(this, (calls) => this.rt.warm(calls));
  }
  /** Submits all encoded work now (reads do this themselves; useful before timing). */
  flush(): void {
    this.rt.flush();
  }
  /** Releases the pooled buffers and the device. Tensors still on it become unusable. */
  destroy(): void {
    this.rt.flush();
    this.rt.pool.clear();
    this.rt.device.destroy();
  }

  unary(op: UnaryOp, x: Storage): Storage {
    return this.wrap(x.dtype, x.size, ew.unary(this.rt, op, gpuBuffer(x), x.size, x.dtype));
  }
  binary(op: BinaryOp, a: Storage, av: StridedView, b: Storage, bv: StridedView, outDtype: DType): Storage {
    this.checkDType(op, outDtype);
    // one operand at most rides as a uniform: b if it is a CPU constant, else a
    const [ka, kb] = [(a as WebGPUStorage).constantBits, (b as WebGPUStorage).constantBits];
    const bOperand: ew.Operand = kb === undefined ? gpuBuffer(b) : { bits: kb };
    const aOperand: ew.Operand = ka === undefined || kb !== undefined ? gpuBuffer(a) : { bits: ka };
    const out = ew.binary(this.rt, op, aOperand, av, bOperand, bv, a.dtype, outDtype);
    return this.wrap(outDtype, sizeOf(av.shape), out);
  }
  where(cond: Storage, cv: StridedView, a: Storage, av: StridedView, b: Storage, bv: StridedView): Storage {
    const kb = (b as WebGPUStorage).constantBits;
    const out = ew.where(
      this.rt,
      gpuBuffer(cond),
      cv,
      cond.dtype,
      gpuBuffer(a),
      av,
      kb === undefined ? gpuBuffer(b) : { bits: kb },
      bv,
    );
    return this.wrap(a.dtype, sizeOf(cv.shape), out);
  }
  cast(x: Storage, dtype: DType): Storage {
    this.checkDType('astype', dtype);
    if (dtype === x.dtype) return this.copyStrided(x, { shape: [x.size], strides: [1], offset: 0 });
    return this.wrap(dtype, x.size, ew.cast(this.rt, gpuBuffer(x), x.size, x.dtype, dtype));
  }
  copyStrided(x: Storage, view: StridedView): Storage {
    const s = this.wrap(x.dtype, sizeOf(view.shape), layout.copyStrided(this.rt, gpuBuffer(x), view));
    const host = (x as WebGPUStorage).host;
    // a view of an uploaded (contiguous) id array is still known on the CPU: just the view, nothing copied
    if (host && host.view.shape.length === 1 && host.view.strides[0] === 1 && host.view.offset === 0)
      s.host = { values: host.values, view };
    return s;
  }
  reduce(op: ReduceOp, x: Storage, shape: readonly number[], axes: readonly number[]): Storage {
    if (op === 'argmax' && axes.length > 1) throw new Error('argmax: takes exactly one axis');
    const outSize = shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1);
    return this.wrap(
      op === 'argmax' ? 'int32' : x.dtype,
      outSize,
      reduce(this.rt, op, gpuBuffer(x), shape, axes, x.dtype),
    );
  }
  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    if (a.dtype !== 'float32') throw new Error(`matmul: the webgpu backend multiplies float32, got ${a.dtype}`);
    return this.wrap(
      a.dtype,
      sizeOf(spec.batchShape) * spec.m * spec.n,
      matmul(this.rt, gpuBuffer(a), gpuBuffer(b), spec),
    );
  }
  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage {
    const size = shapes.reduce((n, s) => n + sizeOf(s), 0);
    return this.wrap(xs[0].dtype, size, layout.concat(this.rt, xs.map(gpuBuffer), shapes, axis));
  }
  gather(x: Storage, xShape: readonly number[], axis: number, index: Storage, indexShape: readonly number[]): Storage {
    return this.wrap(
      x.dtype,
      sizeOf(indexShape),
      idx.gather(this.rt, gpuBuffer(x), xShape, axis, gpuBuffer(index), indexShape),
    );
  }
  scatterAdd(
    outShape: readonly number[],
    axis: number,
    index: Storage,
    src: Storage,
    srcShape: readonly number[],
  ): Storage {
    const out = idx.scatterAdd(
      this.rt,
      outShape,
      axis,
      gpuBuffer(index),
      (index as WebGPUStorage).host,
      gpuBuffer(src),
      srcShape,
      src.dtype,
    );
    return this.wrap(src.dtype, sizeOf(outShape), out);
  }

  // ---- optional fused kernels (the op layer falls back to compositions where a backend has none) ----
  softmax(x: Storage, rows: number, d: number): Storage {
    return this.wrap(x.dtype, rows * d, fused.rowOp(this.rt, 'softmax', [gpuBuffer(x)], rows, d));
  }
  logSoftmax(x: Storage, rows: number, d: number): Storage {
    return this.wrap(x.dtype, rows * d, fused.rowOp(this.rt, 'logSoftmax', [gpuBuffer(x)], rows, d));
  }
  softmaxBackward(y: Storage, g: Storage, rows: number, d: number): Storage {
    return this.wrap(y.dtype, rows * d, fused.rowOp(this.rt, 'softmaxBackward', [gpuBuffer(y), gpuBuffer(g)], rows, d));
  }
  logSoftmaxBackward(y: Storage, g: Storage, rows: number, d: number): Storage {
    return this.wrap(
      y.dtype,
      rows * d,
      fused.rowOp(this.rt, 'logSoftmaxBackward', [gpuBuffer(y), gpuBuffer(g)], rows, d),
    );
  }
  layerNorm(x: Storage, rows: number, d: number, eps: number): { y: Storage; rstd: Storage } {
    const { y, rstd } = fused.layerNorm(this.rt, gpuBuffer(x), rows, d, eps);
    return { y: this.wrap(x.dtype, rows * d, y), rstd: this.wrap(x.dtype, rows, rstd) };
  }
  layerNormBackward(xhat: Storage, rstd: Storage, g: Storage, rows: number, d: number): Storage {
    return this.wrap(
      xhat.dtype,
      rows * d,
      fused.layerNormBackward(this.rt, gpuBuffer(xhat), gpuBuffer(rstd), gpuBuffer(g), rows, d),
    );
  }
  gelu(x: Storage): Storage {
    return this.wrap(x.dtype, x.size, fused.gelu(this.rt, gpuBuffer(x), x.size));
  }
  geluBackward(x: Storage, g: Storage): Storage {
    return this.wrap(x.dtype, x.size, fused.geluBackward(this.rt, gpuBuffer(x), gpuBuffer(g), x.size));
  }
  affine(x: Storage, w: Storage, b: Storage, rows: number, d: number): Storage {
    return this.wrap(x.dtype, rows * d, affine(this.rt, gpuBuffer(x), gpuBuffer(w), gpuBuffer(b), rows, d));
  }
  affineBackward(x: Storage, g: Storage, rows: number, d: number): { dw: Storage; db: Storage } {
    const out = affineBackward(this.rt, gpuBuffer(x), gpuBuffer(g), rows, d);
    return { dw: this.wrap(x.dtype, d, out.dw), db: this.wrap(x.dtype, d, out.db) };
  }
  dropout(x: Storage, p: number, key: readonly [number, number]): Storage {
    return this.wrap(x.dtype, x.size, dropout(this.rt, gpuBuffer(x), x.size, p, key));
  }
  adamUpdate(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    spec: AdamUpdateSpec,
    gradScale?: Storage,
  ): { param: Storage; m: Storage; v: Storage } {
    const n = param.size;
    const out = adamUpdate(
      this.rt,
      n,
      gpuBuffer(param),
      gpuBuffer(grad),
      gpuBuffer(m),
      gpuBuffer(v),
      spec,
      gradScale && gpuBuffer(gradScale),
    );
    return {
      param: this.wrap(param.dtype, n, out.param),
      m: this.wrap(param.dtype, n, out.m),
      v: this.wrap(param.dtype, n, out.v),
    };
  }
  attention(qkv: Storage, spec: AttentionSpec): { y: Storage; probs: Storage; dropped?: Storage } {
    const { batch: B, seq: T, heads: H, headDim: D } = spec;
    const out = attention(this.rt, gpuBuffer(qkv), spec);
    return {
      y: this.wrap(qkv.dtype, B * T * H * D, out.y),
      probs: this.wrap(qkv.dtype, B * H * T * T, out.probs),
      dropped: out.dropped && this.wrap(qkv.dtype, B * H * T * T, out.dropped),
    };
  }
  attentionBackward(qkv: Storage, probs: Storage, dropped: Storage, gy: Storage, spec: AttentionSpec): Storage {
    const out = attentionBackward(this.rt, gpuBuffer(qkv), gpuBuffer(probs), gpuBuffer(dropped), gpuBuffer(gy), spec);
    return this.wrap(qkv.dtype, qkv.size, out);
  }
  globalNorm(xs: readonly Storage[], maxNorm?: number): { norm: Storage; scale?: Storage } {
    const dtype = xs[0]?.dtype ?? 'float32';
    if (xs.some((x) => x.dtype !== 'float32'))
      throw new Error(
        `globalNorm: the webgpu backend takes float32 storages, got ${xs.map((x) => x.dtype).join(', ')}`,
      );
    const out = globalNorm(
      this.rt,
      xs.map((x) => ({ buffer: gpuBuffer(x), size: x.size })),
      maxNorm ?? 1,
    );
    const norm = this.wrap(dtype, 1, out.norm);
    if (maxNorm === undefined) {
      this.rt.release(out.scale);
      return { norm };
    }
    return { norm, scale: this.wrap(dtype, 1, out.scale) };
  }
}

let current: WebGPUBackend | null = null;
let starting: Promise<WebGPUBackend> | null = null;

/**
 * Finds a WebGPU device (navigator.gpu, or the `webgpu` package under Node) and registers the 'webgpu' backend.
 * Calling it again returns the same backend, or a fresh one if the device was lost. Throws a clear error, saying what
 * to install, when no adapter is available.
 */
export async function initWebGPU(): Promise<WebGPUBackend> {
  if (current && !current.failed) return current;
  // a failed device (lost, or out of memory) still holds its buffers: give them back before asking for a new one
  if (current && !starting) current.destroy();
  starting ??= acquireDevice().then(({ device, adapterName }) => {
    const backend = new WebGPUBackend(new Runner(device), adapterName);
    registerBackend(backend);
    return backend;
  });
  try {
    current = await starting;
  } finally {
    starting = null;
  }
  return current;
}

// the CLI and initBackend('webgpu') find the WebGPU backend through the registry
registerBackendInitialiser('webgpu', initWebGPU);
