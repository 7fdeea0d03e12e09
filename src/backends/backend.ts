// The Backend interface: the small primitive set every backend implements.
// Everything else (softmax, layerNorm, gelu, losses...) is composed from these in autograd/ops,
// so a new backend only has to get this file's contract right.
// Shapes here are already validated by the op layer; a backend may assume they are consistent.

import { CpuBackend } from './cpu/index.js';

/** The element types a tensor can hold. */
export type DType = 'float32' | 'float64' | 'int32';
/** The typed array that holds the values of each DType. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** An opaque handle to a backend's buffer. Always contiguous, row-major. */
export interface Storage {
  readonly backend: string;
  readonly dtype: DType;
  readonly size: number;
}

/** The elementwise unary primitives every backend implements. */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'tanh'
  | 'abs'
  | 'sign'
  | 'sigmoid'
  | 'expm1'
  | 'log1p'
  | 'reciprocal';

/** The unary ops defined on int32 as well as on floats; every other unary op needs a float input. */
export const INT_UNARY_OPS = ['neg', 'abs', 'sign'] as const satisfies readonly UnaryOp[];
/** One of {@link INT_UNARY_OPS}. */
export type IntUnaryOp = (typeof INT_UNARY_OPS)[number];
/** Whether `op` accepts int32 inputs. */
export function isIntUnaryOp(op: UnaryOp): op is IntUnaryOp {
  return (INT_UNARY_OPS as readonly UnaryOp[]).includes(op);
}

/** GPT-2's GELU (tanh form) is 0.5 x (1 + tanh(GELU_C (x + GELU_A x^3))); every implementation uses these two. */
export const GELU_C = Math.sqrt(2 / Math.PI);
/** The cubic coefficient of the tanh-form GELU; see {@link GELU_C}. */
export const GELU_A = 0.044715;

/** The broadcasting binary primitives every backend implements (arithmetic and comparisons). */
export const BINARY_OPS = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'lt',
  'le',
  'gt',
  'ge',
  'eq',
  'ne',
] as const;
/** The elementwise binary primitives: arithmetic, then the comparisons (which output 0/1). */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** The reduction primitives every backend implements. */
export type ReduceOp = 'sum' | 'max' | 'argmax';

/** A read pattern over a contiguous buffer: element at multi-index i is at offset + sum(i[d] * strides[d]). */
export interface StridedView {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** The shapes of one batched matmul: op(a) is [m, k], op(b) is [k, n], batches broadcast through strides. */
export interface MatmulSpec {
  /** Broadcast batch shape of the output. */
  batchShape: readonly number[];
  /** Element strides of each batch dim into a and b (0 where that operand is broadcast). */
  aBatchStrides: readonly number[];
  bBatchStrides: readonly number[];
  m: number;
  n: number;
  k: number;
  /** a is stored [k, m] per batch instead of [m, k]. */
  transA: boolean;
  /** b is stored [n, k] per batch instead of [k, n]. */
  transB: boolean;
}

/** Hyperparameters of one fused Adam / AdamW step (see `Backend.adamUpdate`). */
export interface AdamUpdateSpec {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 - beta1^t for the step t being taken. */
  biasCorrection1: number;
  /** 1 - beta2^t for the step t being taken. */
  biasCorrection2: number;
  /** 0 for none. */
  weightDecay: number;
  /** true: AdamW, p <- p (1 - lr wd) before the update; false: Adam, g <- g + wd p. */
  decoupled: boolean;
}

/**
 * One fused causal self-attention (see `Backend.attention`): qkv is [batch, seq, 3, heads, headDim] contiguous (the
 * GPT-2 c_attn output), each query position t attends to key positions s <= t.
 */
export interface AttentionSpec {
  batch: number;
  seq: number;
  heads: number;
  headDim: number;
  /** q is multiplied by this (rounded to the dtype) before the dot products: 1 / sqrt(headDim) in GPT-2. */
  scale: number;
  /** Inverted dropout on the probabilities, element i of [batch, heads, seq, seq] kept exactly as `dropout` keeps
   *  it under this key; absent for none. */
  dropout?: { p: number; key: readonly [number, number] };
}

/** Hyperparameters of one fused SGD step (see `Backend.sgdUpdate`); 0 turns momentum or weight decay off. */
export interface SgdUpdateSpec {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export interface MemoryInfo {
  buffers: number;
  bytes: number;
  /** Bytes held for reuse by no live storage (a free list), when the backend keeps one on the host. */
  pooledBytes?: number;
}

/** The primitive set a backend implements (see docs/ARCHITECTURE.md); ops validate shapes before calling it. */
export interface Backend {
  readonly name: string;
  /** Which dtypes this backend can hold; the op layer turns anything else into a clear error. */
  readonly dtypes: readonly DType[];

  /** A new storage holding a copy of `data`. */
  fromArray(data: TypedArray, dtype: DType): Storage;
  /** A new storage of `size` zeros. */
  zeros(size: number, dtype: DType): Storage;
  /** Every backend can read asynchronously. */
  read(s: Storage): Promise<TypedArray>;
  /** Only backends whose memory the CPU can see synchronously implement this. */
  readSync?(s: Storage): TypedArray;
  /** Frees the storage (its handle must not be used again). */
  dispose(s: Storage): void;
  /** Live buffers and bytes on this backend. */
  memory(): MemoryInfo;

  /** out = op(x), elementwise. */
  unary(op: UnaryOp, x: Storage): Storage;
  /** out[i] = op(a[view a], b[view b]) over outShape; the views express broadcasting (stride 0). */
  binary(op: BinaryOp, a: Storage, av: StridedView, b: Storage, bv: StridedView, outDtype: DType): Storage;
  /** out = cond != 0 ? a : b, each read through its own view of outShape. */
  where(cond: Storage, cv: StridedView, a: Storage, av: StridedView, b: Storage, bv: StridedView): Storage;
  /** The values converted to `dtype`, in a new storage. */
  cast(x: Storage, dtype: DType): Storage;
  /** Materialise a strided view (permute, slice, broadcastTo, transpose all reduce to this). */
  copyStrided(x: Storage, view: StridedView): Storage;
  /** Reduce over `axes` of a contiguous tensor of `shape`; the output is contiguous with those axes kept as size 1.
   *  argmax returns int32 indices and takes exactly one axis. */
  reduce(op: ReduceOp, x: Storage, shape: readonly number[], axes: readonly number[]): Storage;
  /** Batched matrix product described by `spec`, into a new contiguous storage. */
  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage;
  /** Concatenate contiguous tensors along `axis`; `shapes[i]` is the shape of `xs[i]`. */
  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage;
  /** torch.gather: out[..i_axis..] = x[..index[..]..] along axis; index is int32 with the output's shape. */
  gather(x: Storage, xShape: readonly number[], axis: number, index: Storage, indexShape: readonly number[]): Storage;
  /** The adjoint of gather: zeros of outShape, then out[..index[..]..] += src[..] along axis. */
  scatterAdd(
    outShape: readonly number[],
    axis: number,
    index: Storage,
    src: Storage,
    srcShape: readonly number[],
  ): Storage;

  // Optional fused kernels over the last axis of a contiguous float tensor viewed as [rows, d]. The op layer uses
  // them when present and falls back to the composition otherwise; each must equal its composed reference.
  /** Row-wise softmax of [rows, d]. */
  softmax?(x: Storage, rows: number, d: number): Storage;
  /** Row-wise log-softmax of [rows, d]. */
  logSoftmax?(x: Storage, rows: number, d: number): Storage;
  /** dx = y * (g - sum_row(g * y)) for y = softmax(x). */
  softmaxBackward?(y: Storage, g: Storage, rows: number, d: number): Storage;
  /** dx = g - exp(y) * sum_row(g) for y = logSoftmax(x). */
  logSoftmaxBackward?(y: Storage, g: Storage, rows: number, d: number): Storage;
  /** xhat = (x - mean) / sqrt(biased var + eps) per row, and rstd = 1 / sqrt(var + eps) per row ([rows]). */
  layerNorm?(x: Storage, rows: number, d: number, eps: number): { y: Storage; rstd: Storage };
  /** dx = rstd * (g - mean_row(g) - xhat * mean_row(g * xhat)). */
  layerNormBackward?(xhat: Storage, rstd: Storage, g: Storage, rows: number, d: number): Storage;
  /** GPT-2's tanh-GELU, elementwise. */
  gelu?(x: Storage): Storage;
  /** g * gelu'(x), elementwise. */
  geluBackward?(x: Storage, g: Storage): Storage;

  /** y = x w + b over [rows, d], w and b [d] broadcast over the rows (LayerNorm's affine part), in one kernel. */
  affine?(x: Storage, w: Storage, b: Storage, rows: number, d: number): Storage;
  /** The column sums over [rows, d] of g * x and of g, each [d]: `affine`'s weight and bias gradients together. */
  affineBackward?(x: Storage, g: Storage, rows: number, d: number): { dw: Storage; db: Storage };

  /**
   * Optional inverted dropout in one kernel: x * (u_i >= p ? 1 / (1 - p) : 0) where u_i = (w_i + 0.5) / 2^32 and w_i
   * is word i % 4 of the Philox 4x32-10 block [floor(i / 4), 0, 0, 0] under `key` (random.ts: uniformArray and
   * keyOf), the keep scale rounded to x's dtype. Must keep exactly the elements the composed mask keeps, so the
   * backward (the same call on the gradient) and every backend agree bit for bit.
   */
  dropout?(x: Storage, p: number, key: readonly [number, number]): Storage;

  /**
   * Optional fused optimizer step: one Adam/AdamW update of a parameter as a single primitive, returning new
   * storages (the inputs are left unchanged). `gradScale`, when given, is a one-element float storage the gradient is
   * multiplied by first (gradient clipping's min(1, maxNorm / norm)), so clipping needs no readback. Must equal the
   * composed update in `optim/adam.ts` up to the dtype's rounding.
   */
  adamUpdate?(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    spec: AdamUpdateSpec,
    gradScale?: Storage,
  ): { param: Storage; m: Storage; v: Storage };
  /**
   * Optional fused causal attention core: from qkv (AttentionSpec) to y = dropout(softmax(mask(q k^T scale))) v with
   * heads merged, [batch, seq, heads * headDim], plus the probabilities [batch, heads, seq, seq] (0 above the
   * diagonal) and, when dropout applies, the dropped ones, both kept for `attentionBackward`. Replaces the head
   * split and merge copies and the score, mask, softmax, dropout and product kernels. Must equal the composition in
   * autograd/ops/attention.ts up to the dtype's rounding; a backend has both attention primitives or neither.
   */
  attention?(qkv: Storage, spec: AttentionSpec): { y: Storage; probs: Storage; dropped?: Storage };
  /** The gradient of `attention` with respect to qkv ([batch, seq, 3, heads, headDim]) for the gradient gy of y.
   *  `dropped` is the forward's dropped probabilities, or its probs when there was no dropout. */
  attentionBackward?(qkv: Storage, probs: Storage, dropped: Storage, gy: Storage, spec: AttentionSpec): Storage;
  /**
   * Optional global L2 norm, for gradient clipping: sqrt of the sum of squares of every element of every float storage
   * in `xs` (all of one dtype), as a one-element storage, in a few kernels instead of a multiply and a reduction per
   * storage and a chain of adds. With `maxNorm`, also clipping's scale min(1, maxNorm / (norm + 1e-6)) as another
   * one-element storage, computed where the norm is (no readback). Must equal the composition in `optim/clip.ts` up to
   * the dtype's rounding (the order of the additions may differ).
   */
  globalNorm?(xs: readonly Storage[], maxNorm?: number): { norm: Storage; scale?: Storage };
  /**
   * Optional fused SGD step (torch.optim.SGD, no dampening or Nesterov): g' = g scale + wd p, buf = momentum buf + g',
   * p - lr buf, returning new storages. `momentumBuffer` is given exactly when spec.momentum > 0, and a new one is
   * returned then; `gradScale` as in adamUpdate. Must equal the composed update in `optim/sgd.ts` bit for bit.
   */
  sgdUpdate?(
    param: Storage,
    grad: Storage,
    momentumBuffer: Storage | undefined,
    spec: SgdUpdateSpec,
    gradScale?: Storage,
  ): { param: Storage; momentumBuffer?: Storage };
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major element strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export const DTYPE_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return 'int32';
}

const backends = new Map<string, Backend>();

/**
 * The CPU backend is registered on first use, so that any module works on its own without importing
 * src/index.ts first (the float64 CPU path is the oracle every other backend is tested against).
 */
function ensureCpu(): void {
  if (!backends.has('cpu')) backends.set('cpu', new CpuBackend());
}

// Backends that need asynchronous setup before they exist (WebGPU needs an adapter and a device).
const initialisers = new Map<string, () => Promise<Backend>>();

/** Declares that backend `name` can be set up by `init` (which registers it); see {@link initBackend}. */
export function registerBackendInitialiser(name: string, init: () => Promise<Backend>): void {
  initialisers.set(name, init);
}

/** Names of every backend that is registered or can be set up with {@link initBackend}, 'cpu' first. */
export function availableBackends(): string[] {
  ensureCpu();
  return [...new Set([...backends.keys(), ...initialisers.keys()])];
}

/** The backend `name`, set up first if it needs it (e.g. 'webgpu'; idempotent); throws naming the registered ones. */
export async function initBackend(name: string): Promise<Backend> {
  const init = initialisers.get(name);
  return init ? init() : getBackend(name);
}

/** Makes `b` available under `b.name` (replacing any backend of that name). */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

/** Every registered backend, the CPU backend always among them. */
export function getRegisteredBackends(): Backend[] {
  ensureCpu();
  return [...backends.values()];
}

/** The backend registered under `name`; throws naming the registered ones (and how to get WebGPU) otherwise. */
export function getBackend(name: string): Backend {
  if (name === 'cpu') ensureCpu();
  const b = backends.get(name);
  if (!b) {
    const hint = name === 'webgpu' ? ' (call `await initWebGPU()` first)' : '';
    ensureCpu();
    throw new Error(`backend '${name}' is not registered${hint}; registered: ${[...backends.keys()].join(', ')}`);
  }
  return b;
}

let defaultBackendName = 'cpu';
/** Makes the registered backend `name` the one new tensors go to when no backend is given. */
export function setDefaultBackend(name: string): void {
  getBackend(name);
  defaultBackendName = name;
}
/** The backend new tensors go to when no backend is given: 'cpu' unless setDefaultBackend changed it. */
export function defaultBackend(): Backend {
  return getBackend(defaultBackendName);
}
