// The WebGPU backend: float32 and int32 tensors in GPU buffers, every Backend primitive as a WGSL kernel.
// `await initWebGPU()` finds a device and registers the backend as 'webgpu'.
//
// memory() counts what the tensor layer sees: live storages and their logical bytes (size x 4). Buffers resting in
// the pool for reuse are not counted there; poolInfo() reports them, so a leak test reads memory() and a capacity
// question reads both.

import type { Backend, BinaryOp, DType, MatmulSpec, MemoryInfo, ReduceOp, Storage, StridedView, TypedArray, UnaryOp } from '../backend.js';
import { registerBackend, registerBackendInitialiser, sizeOf } from '../backend.js';
import { acquireDevice } from './device.js';
import * as ew from './elementwise.js';
import * as fused from './fused.js';
import * as idx from './indexing.js';
import * as layout from './layout.js';
import { matmul } from './matmul.js';
import type { PoolInfo } from './pool.js';
import { reduce } from './reduce.js';
import { Runner } from './runner.js';

export class WebGPUStorage implements Storage {
  readonly backend = 'webgpu';
  constructor(readonly dtype: DType, readonly size: number, readonly buffer: GPUBuffer) {}
}

function gpuBuffer(s: Storage): GPUBuffer {
  return (s as WebGPUStorage).buffer;
}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly dtypes = ['float32', 'int32'] as const;
  private live = 0;
  private liveBytes = 0;

  constructor(private readonly rt: Runner, readonly adapterName: string) {}

  /** True once the device is lost or destroyed (initWebGPU then makes a new one). */
  get failed(): boolean {
    return this.rt.failed;
  }

  private wrap(dtype: DType, size: number, buffer: GPUBuffer): WebGPUStorage {
    this.live++;
    this.liveBytes += size * 4;
    return new WebGPUStorage(dtype, size, buffer);
  }

  private checkDType(op: string, dtype: DType): void {
    if (dtype === 'float64') {
      throw new Error(`${op}: the webgpu backend has no float64 (WGSL has no 64-bit floats); use float32, or the cpu backend for float64`);
    }
  }

  fromArray(data: TypedArray, dtype: DType): Storage {
    this.checkDType('fromArray', dtype);
    const typed = dtype === 'int32' ? Int32Array.from(data) : data instanceof Float32Array ? data : Float32Array.from(data);
    return this.wrap(dtype, typed.length, this.rt.upload('fromArray', typed));
  }
  zeros(size: number, dtype: DType): Storage {
    this.checkDType('zeros', dtype);
    return this.wrap(dtype, size, this.rt.upload('zeros', new Uint32Array(size)));
  }
  async read(s: Storage): Promise<TypedArray> {
    const bytes = await this.rt.read(gpuBuffer(s), s.size * 4);
    return s.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }
  dispose(s: Storage): void {
    this.live--;
    this.liveBytes -= s.size * 4;
    this.rt.release(gpuBuffer(s));
  }
  memory(): MemoryInfo {
    return { buffers: this.live, bytes: this.liveBytes };
  }
  /** Free buffers kept for reuse (not part of memory()). */
  poolInfo(): PoolInfo {
    return this.rt.pool.info();
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
    const out = ew.binary(this.rt, op, gpuBuffer(a), av, gpuBuffer(b), bv, a.dtype, outDtype);
    return this.wrap(outDtype, sizeOf(av.shape), out);
  }
  where(cond: Storage, cv: StridedView, a: Storage, av: StridedView, b: Storage, bv: StridedView): Storage {
    const out = ew.where(this.rt, gpuBuffer(cond), cv, cond.dtype, gpuBuffer(a), av, gpuBuffer(b), bv);
    return this.wrap(a.dtype, sizeOf(cv.shape), out);
  }
  cast(x: Storage, dtype: DType): Storage {
    this.checkDType('astype', dtype);
    if (dtype === x.dtype) return this.copyStrided(x, { shape: [x.size], strides: [1], offset: 0 });
    return this.wrap(dtype, x.size, ew.cast(this.rt, gpuBuffer(x), x.size, x.dtype, dtype));
  }
  copyStrided(x: Storage, view: StridedView): Storage {
    return this.wrap(x.dtype, sizeOf(view.shape), layout.copyStrided(this.rt, gpuBuffer(x), view));
  }
  reduce(op: ReduceOp, x: Storage, shape: readonly number[], axes: readonly number[]): Storage {
    if (op === 'argmax' && axes.length > 1) throw new Error('argmax: takes exactly one axis');
    const outSize = shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1);
    return this.wrap(op === 'argmax' ? 'int32' : x.dtype, outSize, reduce(this.rt, op, gpuBuffer(x), shape, axes, x.dtype));
  }
  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    if (a.dtype !== 'float32') throw new Error(`matmul: the webgpu backend multiplies float32, got ${a.dtype}`);
    return this.wrap(a.dtype, sizeOf(spec.batchShape) * spec.m * spec.n, matmul(this.rt, gpuBuffer(a), gpuBuffer(b), spec));
  }
  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage {
    const size = shapes.reduce((n, s) => n + sizeOf(s), 0);
    return this.wrap(xs[0].dtype, size, layout.concat(this.rt, xs.map(gpuBuffer), shapes, axis));
  }
  gather(x: Storage, xShape: readonly number[], axis: number, index: Storage, indexShape: readonly number[]): Storage {
    return this.wrap(x.dtype, sizeOf(indexShape), idx.gather(this.rt, gpuBuffer(x), xShape, axis, gpuBuffer(index), indexShape));
  }
  scatterAdd(outShape: readonly number[], axis: number, index: Storage, src: Storage, srcShape: readonly number[]): Storage {
    const out = idx.scatterAdd(this.rt, outShape, axis, gpuBuffer(index), gpuBuffer(src), srcShape, src.dtype);
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
    return this.wrap(y.dtype, rows * d, fused.rowOp(this.rt, 'logSoftmaxBackward', [gpuBuffer(y), gpuBuffer(g)], rows, d));
  }
  layerNorm(x: Storage, rows: number, d: number, eps: number): { y: Storage; rstd: Storage } {
    const { y, rstd } = fused.layerNorm(this.rt, gpuBuffer(x), rows, d, eps);
    return { y: this.wrap(x.dtype, rows * d, y), rstd: this.wrap(x.dtype, rows, rstd) };
  }
  layerNormBackward(xhat: Storage, rstd: Storage, g: Storage, rows: number, d: number): Storage {
    return this.wrap(xhat.dtype, rows * d, fused.layerNormBackward(this.rt, gpuBuffer(xhat), gpuBuffer(rstd), gpuBuffer(g), rows, d));
  }
  gelu(x: Storage): Storage {
    return this.wrap(x.dtype, x.size, fused.gelu(this.rt, gpuBuffer(x), x.size));
  }
  geluBackward(x: Storage, g: Storage): Storage {
    return this.wrap(x.dtype, x.size, fused.geluBackward(this.rt, gpuBuffer(x), gpuBuffer(g), x.size));
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
