// Creating tensors: from JS data, constants, ranges and seeded random draws.

import type { Backend, DType, Storage, TypedArray } from './backends/backend.js';
import { defaultBackend, dtypeOfArray, getBackend, typedArrayFor } from './backends/backend.js';
import { tensorFromStorage, type Tensor } from './tensor.js';
import { checkShape, fmt, sizeOf } from './shape.js';
import { normalArray, uniformArray } from './random.js';

/** Options of the creation functions: shape (for flat data), dtype (default float32), requiresGrad, backend. */
export interface TensorOptions {
  shape?: readonly number[];
  dtype?: DType;
  requiresGrad?: boolean;
  backend?: string | Backend;
}

type Nested = number | readonly Nested[];

function resolveBackend(b: string | Backend | undefined): Backend {
  if (b === undefined) return defaultBackend();
  return typeof b === 'string' ? getBackend(b) : b;
}

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

function flatten(data: Nested, shape: readonly number[], out: number[], depth = 0): void {
  if (depth === shape.length) {
    if (typeof data !== 'number')
      throw new Error(`tensor: ragged or non-numeric data (expected a number at depth ${depth}, shape ${fmt(shape)})`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(
      `tensor: ragged nested array: expected length ${shape[depth]} at depth ${depth} (shape ${fmt(shape)})`,
    );
  }
  for (const d of data) flatten(d, shape, out, depth + 1);
}

/**
 * The most elements one tensor may hold: 2^31 - 1, so every flat index is an int32 (kernels and shaders index
 * with 32-bit integers). Checked before anything is allocated.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

function checkSize(op: string, shape: readonly number[]): number {
  checkShape(op, shape);
  const size = sizeOf(shape);
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new Error(
      `${op}: shape ${fmt(shape)} has ${size} elements, more than the ${MAX_TENSOR_ELEMENTS} a tensor can hold`,
    );
  }
  return size;
}

/** int32 values must be integers in range: a silent truncation (3.7 -> 3, 1e10 -> wrapped, NaN -> 0) loses data. */
function checkInt32(op: string, values: ArrayLike<number>): void {
  if (values instanceof Int32Array) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) {
      throw new Error(`${op}: value ${v} at flat index ${i} is not an int32 (an integer in [-2^31, 2^31))`);
    }
  }
}

function resolveDType(backend: Backend, dtype: DType): void {
  if (!backend.dtypes.includes(dtype)) {
    throw new Error(`tensor: backend '${backend.name}' has no ${dtype} (it supports ${backend.dtypes.join(', ')})`);
  }
}

function make(
  values: ArrayLike<number>,
  shape: readonly number[],
  opts: TensorOptions,
  dtype: DType,
  op = 'tensor',
): Tensor {
  checkSize(op, shape);
  const backend = resolveBackend(opts.backend);
  resolveDType(backend, dtype);
  if (dtype === 'int32') checkInt32(op, values);
  // the backend copies what it is given, so an array already of the right type is passed as is (one copy, not two)
  let arr: TypedArray;
  if (ArrayBuffer.isView(values) && dtypeOfArray(values as TypedArray) === dtype) {
    arr = values as TypedArray;
  } else {
    arr = typedArrayFor(dtype, values.length);
    arr.set(values);
  }
  const t = tensorFromStorage(backend.fromArray(arr, dtype), shape, backend);
  if (opts.requiresGrad) t.requireGrad();
  return t;
}

/** A tensor from a number, nested arrays or a typed array (with `shape` to give it more than one dim). */
export function tensor(data: Nested | TypedArray, opts: TensorOptions = {}): Tensor {
  let values: ArrayLike<number>;
  let shape: readonly number[];
  let dtype: DType = opts.dtype ?? 'float32';
  if (ArrayBuffer.isView(data)) {
    values = data;
    dtype = opts.dtype ?? dtypeOfArray(data);
    shape = opts.shape ?? [data.length];
  } else {
    const flat: number[] = [];
    const inferred = inferShape(data);
    flatten(data, inferred, flat);
    values = flat;
    shape = opts.shape ?? inferred;
  }
  checkSize('tensor', shape);
  if (sizeOf(shape) !== values.length) {
    throw new Error(`tensor: ${values.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
  }
  return make(values, shape, opts, dtype);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  const size = checkSize('full', shape);
  const dtype = opts.dtype ?? 'float32';
  if (dtype === 'int32') checkInt32('full', [value]);
  const backend = resolveBackend(opts.backend);
  resolveDType(backend, dtype);
  // zeros straight from the backend; other values staged once, in the target dtype (not via a float64 copy)
  let storage: Storage;
  if (value === 0 && !Object.is(value, -0)) {
    storage = backend.zeros(size, dtype);
  } else {
    const vals = typedArrayFor(dtype, size);
    vals.fill(value);
    storage = backend.fromArray(vals, dtype);
  }
  const t = tensorFromStorage(storage, shape, backend);
  if (opts.requiresGrad) t.requireGrad();
  return t;
}

/** A tensor of `shape` filled with 0. */
export const zeros = (shape: readonly number[], opts: TensorOptions = {}): Tensor => full(shape, 0, opts);
/** A tensor of `shape` filled with 1. */
export const ones = (shape: readonly number[], opts: TensorOptions = {}): Tensor => full(shape, 1, opts);
/** Zeros of t's shape, dtype and backend. */
export const zerosLike = (t: Tensor): Tensor => full(t.shape, 0, { dtype: t.dtype, backend: t.backend });
/** Ones of t's shape, dtype and backend. */
export const onesLike = (t: Tensor): Tensor => full(t.shape, 1, { dtype: t.dtype, backend: t.backend });

/** [start, stop) in steps of `step`; arange(n) is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new Error('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  checkSize('arange', [n]);
  const vals = Array.from({ length: n }, (_, i) => lo + i * step);
  const dtype = opts.dtype ?? ([lo, hi, step].every(Number.isInteger) ? 'int32' : 'float32');
  return make(vals, [n], opts, dtype, 'arange');
}

/** Creation options plus the seed every random tensor needs (no hidden global random state). */
export interface RandomOptions extends TensorOptions {
  seed: number;
}

/** Uniform in (low, high), reproducible from the seed on every backend. */
export function rand(shape: readonly number[], opts: RandomOptions & { low?: number; high?: number }): Tensor {
  checkSize('rand', shape);
  const { low = 0, high = 1 } = opts;
  const u = uniformArray(sizeOf(shape), opts.seed);
  for (let i = 0; i < u.length; i++) u[i] = low + (high - low) * u[i];
  return make(u, shape, opts, opts.dtype ?? 'float32', 'rand');
}

/** Normal(mean, std), reproducible from the seed on every backend. */
export function randn(shape: readonly number[], opts: RandomOptions & { mean?: number; std?: number }): Tensor {
  checkSize('randn', shape);
  const { mean = 0, std = 1 } = opts;
  const z = normalArray(sizeOf(shape), opts.seed);
  for (let i = 0; i < z.length; i++) z[i] = mean + std * z[i];
  return make(z, shape, opts, opts.dtype ?? 'float32', 'randn');
}
