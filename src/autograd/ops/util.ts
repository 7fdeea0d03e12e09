// Shared plumbing for ops: making outputs, turning numbers into tensors, dtype promotion, input checks.

import type { Backend, DType, Storage } from '../../backends/backend.js';
import { typedArrayFor } from '../../backends/backend.js';
import { Tensor, tensorFromStorage } from '../../tensor.js';
import { fmt, sizeOf } from '../../shape.js';
import { checkFinite, isAnomalyDetectionEnabled } from '../graph.js';

export type Operand = Tensor | number;

/** Wraps a backend result as a tensor; in anomaly mode, checks it for NaN/Inf first. */
export function output(
  op: string,
  storage: Storage,
  shape: readonly number[],
  backend: Backend,
  inputs: readonly Tensor[] = [],
): Tensor {
  const t = tensorFromStorage(storage, shape, backend);
  if (isAnomalyDetectionEnabled() && t.dtype !== 'int32') {
    checkFinite(t, `forward of '${op}' (inputs ${inputs.map((x) => fmt(x.shape)).join(', ')})`);
  }
  return t;
}

export function full(shape: readonly number[], value: number, dtype: DType, backend: Backend): Tensor {
  const data = typedArrayFor(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return tensorFromStorage(backend.fromArray(data, dtype), shape, backend);
}

export function describe(t: Tensor): string {
  return `${fmt(t.shape)} ${t.dtype}`;
}

export function checkInputs(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${typeof t}`);
    t.assertAlive(op);
  }
  const b = ts[0]?.backend;
  for (const t of ts) {
    if (t.backend !== b)
      throw new Error(`${op}: operands live on different backends (${b.name} and ${t.backend.name}); move one first`);
  }
}

export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype === 'int32')
    throw new Error(`${op}: expects a float tensor, got ${describe(t)} (use .astype('float32'))`);
}

export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** A number becomes a scalar tensor of `like`'s dtype (float32 when an int tensor meets a fraction). */
export function asTensor(op: string, x: Operand, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`${op}: expected a Tensor or a number, got ${typeof x}`);
  const dtype = like.dtype === 'int32' && !Number.isInteger(x) ? 'float32' : like.dtype;
  return full([], x, dtype, like.backend);
}
