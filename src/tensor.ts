// Tensor: shape, dtype, backend, a reference-counted buffer, and autograd fields. The methods are thin wrappers
// over autograd/ops (the one allowed cycle: method wiring only).

import type { Backend, DType, Storage, TypedArray } from './backends/backend.js';
import { DTYPE_BYTES } from './backends/backend.js';
import { computeGradients, type Node } from './autograd/graph.js';
import { keep, trackTensor, untrackTensor } from './memory.js';
import { fmt, sizeOf } from './shape.js';
import * as bin from './autograd/ops/binary.js';
import * as un from './autograd/ops/unary.js';
import * as red from './autograd/ops/reduce.js';
import * as lay from './autograd/ops/layout.js';
import * as idx from './autograd/ops/indexing.js';
import * as nnops from './autograd/ops/nn.js';
import { matmul } from './autograd/ops/matmul.js';
import { full } from './autograd/ops/util.js';

type Operand = Tensor | number;
type Axes = number | readonly number[];

/** A backend buffer shared by a tensor and its views (reshape, detach); freed when the last one is disposed. */
class SharedBuffer {
  private refs = 1;
  constructor(
    readonly storage: Storage,
    readonly backend: Backend,
  ) {}
  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) this.backend.dispose(this.storage);
  }
}

let nextId = 0;

// Package-internal constructors and graph wiring, assigned in Tensor's static block (the only place that may touch
// its private fields). Exported below as plain functions that src/index.ts does not re-export.
let wrapStorage: (storage: Storage, shape: readonly number[], backend: Backend) => Tensor;
let viewOf: (of: Tensor, shape: readonly number[]) => Tensor;
let setNode: (t: Tensor, node: Node) => void;

/**
 * An n-dimensional array of float32, float64 or int32 values on one backend, with reverse-mode autodiff.
 *
 * Tensors are immutable: every op returns a new tensor (only {@link Tensor.assign} replaces values, for optimizers).
 * Each holds a reference-counted backend buffer; free it with {@link Tensor.dispose} or let {@link tidy} do it.
 * Make them with {@link tensor}, {@link zeros}, {@link randn} and friends.
 */
export class Tensor {
  /** A process-unique number, shown in error messages about this tensor. */
  readonly id = nextId++;
  /** Extent of each axis; `[]` for a scalar. Frozen. */
  readonly shape: readonly number[];
  private requires = false;
  private gradient: Tensor | null = null;
  private producer: Node | null = null;
  private buffer: SharedBuffer;
  private disposed = false;

  private constructor(buffer: SharedBuffer, shape: readonly number[]) {
    this.buffer = buffer;
    this.shape = Object.freeze([...shape]);
    trackTensor(this);
  }

  static {
    wrapStorage = (storage, shape, backend) => new Tensor(new SharedBuffer(storage, backend), shape);
    viewOf = (of, shape) => {
      of.assertAlive('view');
      return new Tensor(of.buffer.retain(), shape);
    };
    setNode = (t, node) => {
      t.requires = true;
      t.producer = node;
    };
  }

  /**
   * Whether gradients flow to this tensor: true for leaves marked with {@link Tensor.requireGrad} and for results
   * of ops recorded while grad mode was on and some input required grad.
   */
  get requiresGrad(): boolean {
    return this.requires;
  }
  /** The gradient that {@link Tensor.backward} accumulated into this leaf, or null. Clear it with zeroGrad(). */
  get grad(): Tensor | null {
    return this.gradient;
  }
  /** The recorded op that produced this tensor; null for leaves and for results made without recording. */
  get node(): Node | null {
    return this.producer;
  }
  /** The element type. */
  get dtype(): DType {
    return this.buffer.storage.dtype;
  }
  /** The backend that holds this tensor's buffer and runs its ops. */
  get backend(): Backend {
    return this.buffer.backend;
  }
  /** The backend buffer (shared with views of this tensor); for backend and op implementations. */
  get storage(): Storage {
    return this.buffer.storage;
  }
  /** Number of elements (1 for a scalar). */
  get size(): number {
    return sizeOf(this.shape);
  }
  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }
  /** True once {@link Tensor.dispose} was called; any further use throws. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws an error naming `op`, this tensor's id, shape and dtype if the tensor was disposed. */
  assertAlive(op: string): void {
    if (this.disposed) throw new Error(`${op}: tensor #${this.id} ${fmt(this.shape)} ${this.dtype} was disposed`);
  }

  /** Releases this tensor's share of its buffer (freed when no view uses it any more). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buffer.release();
    untrackTensor();
  }

  /** Replaces this tensor's values with `value`'s (same shape and dtype), outside the graph: for optimizers. */
  assign(value: Tensor): this {
    this.assertAlive('assign');
    value.assertAlive('assign');
    if (value.dtype !== this.dtype || value.shape.join() !== this.shape.join() || value.backend !== this.backend) {
      throw new Error(
        `assign: expected ${fmt(this.shape)} ${this.dtype} on ${this.backend.name}, ` +
          `got ${fmt(value.shape)} ${value.dtype} on ${value.backend.name}`,
      );
    }
    const old = this.buffer;
    this.buffer = value.buffer.retain();
    old.release();
    return this;
  }

  // ---- reading values ----
  /** A copy of the values, flat and row-major (any backend). */
  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    return (await this.backend.read(this.storage)).slice();
  }
  /** A copy of the values, flat and row-major; only on backends that read synchronously (CPU). */
  dataSync(): TypedArray {
    this.assertAlive('dataSync');
    if (!this.backend.readSync) {
      throw new Error(`dataSync: backend '${this.backend.name}' cannot read synchronously; use await t.data()`);
    }
    return this.backend.readSync(this.storage).slice();
  }
  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: expected a tensor with one element, got shape ${fmt(this.shape)}`);
    return (await this.data())[0];
  }
  /** The value of a one-element tensor, read synchronously (CPU). */
  itemSync(): number {
    if (this.size !== 1) throw new Error(`item: expected a tensor with one element, got shape ${fmt(this.shape)}`);
    return this.dataSync()[0];
  }
  /** Nested JS arrays (a number for a scalar). */
  async array(): Promise<unknown> {
    return nest(await this.data(), this.shape);
  }
  /** Nested JS arrays, read synchronously (CPU). */
  arraySync(): unknown {
    return nest(this.dataSync(), this.shape);
  }
  /** Size of the values in bytes. */
  get bytes(): number {
    return this.size * DTYPE_BYTES[this.dtype];
  }
  /** A short description: shape, dtype, backend and whether it requires grad. */
  toString(): string {
    const grad = this.requiresGrad ? ', requiresGrad' : '';
    return `Tensor(${fmt(this.shape)}, ${this.dtype}, ${this.backend.name}${grad})`;
  }

  // ---- autograd ----
  /** Accumulates d(this)/d(leaf) into `.grad` of every leaf that requires grad. Non-scalars need a `gradient`. */
  backward(gradient?: Tensor): void {
    this.assertAlive('backward');
    if (!this.requiresGrad) {
      const why = 'no input requires grad, or it was made under noGrad';
      throw new Error(`backward: tensor ${fmt(this.shape)} does not require grad (${why})`);
    }
    let seed = gradient;
    if (!seed) {
      if (this.size !== 1) {
        throw new Error(`backward: a gradient is needed for a non-scalar tensor of shape ${fmt(this.shape)}`);
      }
      seed = full(this.shape, 1, this.dtype, this.backend);
    } else if (seed.shape.join() !== this.shape.join()) {
      throw new Error(`backward: gradient shape ${fmt(seed.shape)} differs from tensor shape ${fmt(this.shape)}`);
    }
    // a cotangent of another dtype would otherwise promote every gradient, leaving leaves with grads of a foreign dtype
    if (seed.dtype !== this.dtype) seed = seed.astype(this.dtype);
    const grads = computeGradients([this], [seed], undefined, false);
    for (const [t, g] of grads) {
      if (t.node !== null) continue;
      const prev = t.gradient;
      // a fresh view per leaf: backward rules may hand the same gradient tensor to several inputs
      t.gradient = keep(prev ? prev.add(g) : g.detach());
      prev?.dispose();
    }
  }
  /** A tensor over the same values that no gradient flows through. */
  detach(): Tensor {
    this.assertAlive('detach');
    return viewOf(this, this.shape);
  }
  /**
   * Marks a leaf as a parameter/input whose `.grad` backward fills (or unmarks it with `on = false`).
   * The only way to set {@link Tensor.requiresGrad}: results of ops and int32 tensors are refused.
   */
  requireGrad(on = true): this {
    if (this.producer) throw new Error('requireGrad: only leaf tensors (not results of ops) can be marked');
    if (on && this.dtype === 'int32') {
      throw new Error(`requireGrad: int32 tensors cannot require grad ${fmt(this.shape)}`);
    }
    this.requires = on;
    return this;
  }
  /** Disposes and clears the accumulated {@link Tensor.grad}. */
  zeroGrad(): void {
    this.gradient?.dispose();
    this.gradient = null;
  }

  // ---- elementwise ----
  /** Elementwise this + o, broadcasting; int32 and float operands promote to float. */
  add(o: Operand): Tensor {
    return bin.add(this, o);
  }
  /** Elementwise this - o, broadcasting. */
  sub(o: Operand): Tensor {
    return bin.sub(this, o);
  }
  /** Elementwise this * o, broadcasting. */
  mul(o: Operand): Tensor {
    return bin.mul(this, o);
  }
  /** Elementwise this / o, broadcasting; true division (int32 operands give float32). */
  div(o: Operand): Tensor {
    return bin.div(this, o);
  }
  /** Elementwise this ** o, broadcasting. */
  pow(o: Operand): Tensor {
    return bin.pow(this, o);
  }
  /** Elementwise maximum, broadcasting; ties split the gradient equally. */
  maximum(o: Operand): Tensor {
    return bin.maximum(this, o);
  }
  /** Elementwise minimum, broadcasting; ties split the gradient equally. */
  minimum(o: Operand): Tensor {
    return bin.minimum(this, o);
  }
  /** 1 where this < o, else 0 (not differentiable). */
  lt(o: Operand): Tensor {
    return bin.lt(this, o);
  }
  /** 1 where this <= o, else 0 (not differentiable). */
  le(o: Operand): Tensor {
    return bin.le(this, o);
  }
  /** 1 where this > o, else 0 (not differentiable). */
  gt(o: Operand): Tensor {
    return bin.gt(this, o);
  }
  /** 1 where this >= o, else 0 (not differentiable). */
  ge(o: Operand): Tensor {
    return bin.ge(this, o);
  }
  /** 1 where this == o, else 0 (not differentiable). */
  eq(o: Operand): Tensor {
    return bin.eq(this, o);
  }
  /** 1 where this != o, else 0 (not differentiable). */
  ne(o: Operand): Tensor {
    return bin.ne(this, o);
  }
  /** this where cond != 0, other elsewhere. */
  where(cond: Tensor, other: Operand): Tensor {
    return bin.where(cond, this, other);
  }
  /** Elementwise -this (int32 too). */
  neg(): Tensor {
    return un.neg(this);
  }
  /** Elementwise e^this. */
  exp(): Tensor {
    return un.exp(this);
  }
  /** Elementwise natural logarithm. */
  log(): Tensor {
    return un.log(this);
  }
  /** Elementwise square root. */
  sqrt(): Tensor {
    return un.sqrt(this);
  }
  /** Elementwise hyperbolic tangent. */
  tanh(): Tensor {
    return un.tanh(this);
  }
  /** Elementwise 1 / (1 + e^-this). */
  sigmoid(): Tensor {
    return un.sigmoid(this);
  }
  /** Elementwise absolute value (int32 too). */
  abs(): Tensor {
    return un.abs(this);
  }
  /** Elementwise sign: -1, 0 or 1 (int32 too; NaN gives 0). */
  sign(): Tensor {
    return un.sign(this);
  }
  /** Elementwise e^this - 1, accurate near 0. */
  expm1(): Tensor {
    return un.expm1(this);
  }
  /** Elementwise log(1 + this), accurate near 0. */
  log1p(): Tensor {
    return un.log1p(this);
  }
  /** Elementwise 1 / this. */
  reciprocal(): Tensor {
    return un.reciprocal(this);
  }
  /** Elementwise this * this. */
  square(): Tensor {
    return bin.square(this);
  }
  /** Elementwise max(this, 0); the gradient at 0 is 0. */
  relu(): Tensor {
    return un.relu(this);
  }
  /** GPT-2's GELU (tanh form), elementwise. */
  gelu(): Tensor {
    return un.gelu(this);
  }
  /** Elementwise log(1 + e^this), stable for large |this|. */
  softplus(): Tensor {
    return un.softplus(this);
  }
  /** Elementwise log(sigmoid(this)), stable at both ends. */
  logSigmoid(): Tensor {
    return un.logSigmoid(this);
  }
  /** log(1 - exp(x)) for x <= 0, stable at both ends. */
  log1mexp(): Tensor {
    return un.log1mexp(this);
  }

  // ---- reductions ----
  /** Sum over `axes` (default all); `keepDims` keeps them as size 1. */
  sum(axes?: Axes, keepDims?: boolean): Tensor {
    return red.sum(this, axes, keepDims);
  }
  /** Mean over `axes` (default all); `keepDims` keeps them as size 1. */
  mean(axes?: Axes, keepDims?: boolean): Tensor {
    return red.mean(this, axes, keepDims);
  }
  /** Maximum over `axes` (default all); ties share the gradient equally. */
  max(axes?: Axes, keepDims?: boolean): Tensor {
    return red.max(this, axes, keepDims);
  }
  /** Minimum over `axes` (default all); ties share the gradient equally. */
  min(axes?: Axes, keepDims?: boolean): Tensor {
    return red.min(this, axes, keepDims);
  }
  /** Index of the first maximum along `axis`, as int32 (not differentiable). */
  argmax(axis: number, keepDims?: boolean): Tensor {
    return red.argmax(this, axis, keepDims);
  }
  /** log(sum(exp(this))) over `axes` (default all), shifted by the maximum for stability. */
  logsumexp(axes?: Axes, keepDims?: boolean): Tensor {
    return red.logsumexp(this, axes, keepDims);
  }
  /** Softmax along `axis` (default the last). */
  softmax(axis?: number): Tensor {
    return red.softmax(this, axis);
  }
  /** log(softmax) along `axis` (default the last), computed stably. */
  logSoftmax(axis?: number): Tensor {
    return red.logSoftmax(this, axis);
  }

  // ---- linear algebra and layout ----
  /** Matrix product over the last two axes, batch axes broadcast (1-D operands as in numpy). */
  matmul(o: Tensor): Tensor {
    return matmul(this, o);
  }
  /** The same values in a new shape (no copy); one entry may be -1. */
  reshape(shape: readonly number[]): Tensor {
    return lay.reshape(this, shape);
  }
  /** Swaps two axes (default the last two). */
  transpose(dim0?: number, dim1?: number): Tensor {
    return lay.transpose(this, dim0, dim1);
  }
  /** Reorders the axes: axis i of the result is axis perm[i] of this. */
  permute(perm: readonly number[]): Tensor {
    return lay.permute(this, perm);
  }
  /** Expands size-1 (and missing leading) axes to `shape`. */
  broadcastTo(shape: readonly number[]): Tensor {
    return lay.broadcastTo(this, shape);
  }
  /** Per-axis [start, end) with negative indices counted from the end; missing axes are taken whole. */
  slice(starts: readonly number[], ends?: readonly number[]): Tensor {
    return lay.slice(this, starts, ends);
  }
  /** The values converted to `dtype`. */
  astype(dtype: DType): Tensor {
    return lay.astype(this, dtype);
  }
  /** torch.gather: out[..i..] = this[..index[..i..]..] along `axis`; `index` is int32. */
  gather(axis: number, index: Tensor): Tensor {
    return idx.gather(this, axis, index);
  }

  // ---- nn helpers ----
  /** Layer normalisation over the last axis, then `* weight + bias` when given. */
  layerNorm(weight?: Tensor, bias?: Tensor, eps?: number): Tensor {
    return nnops.layerNorm(this, weight, bias, eps);
  }
  /**
   * Zeroes each element with probability p (a Philox mask from `seed`) and scales the rest by 1/(1-p); the identity
   * when not training.
   */
  dropout(p: number, seed: number, training?: boolean): Tensor {
    return nnops.dropout(this, p, seed, training);
  }
}

/** Wraps a freshly made storage; ownership passes to the tensor. Package-internal: not exported by src/index.ts. */
export function tensorFromStorage(storage: Storage, shape: readonly number[], backend: Backend): Tensor {
  return wrapStorage(storage, shape, backend);
}

/** A new tensor over the same buffer as `of` (reshape, detach): no copy. Package-internal. */
export function tensorView(of: Tensor, shape: readonly number[]): Tensor {
  return viewOf(of, shape);
}

/** Records that `t` was produced by `node` (so it requires grad). Package-internal: for autograd/graph.ts. */
export function attachNode(t: Tensor, node: Node): void {
  setNode(t, node);
}

function nest(data: TypedArray, shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const build = (offset: number, dim: number): unknown[] => {
    const stride = sizeOf(shape.slice(dim + 1));
    return Array.from({ length: shape[dim] }, (_, i) =>
      dim === shape.length - 1 ? data[offset + i] : build(offset + i * stride, dim + 1),
    );
  };
  return build(0, 0);
}
