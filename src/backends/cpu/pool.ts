// A free list of typed arrays by dtype and length. A training step allocates the same sizes every step; reusing
// the arrays of disposed storages avoids fresh (page-faulting) allocations and most of the garbage collector's
// work on external memory. Arrays come back zeroed, as `new Float32Array(n)` would.

import type { DType, TypedArray } from '../backend.js';
import { typedArrayFor } from '../backend.js';

/** Small arrays live in V8's heap and are cheap to make; pooling them would cost more than it saves. */
const MIN_POOLED = 256;
/** Spares kept per (dtype, length), so a one-off burst of allocations does not stay resident for ever. */
const MAX_SPARES = 16;

const free: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map(), int32: new Map() };

export function alloc(dtype: DType, size: number): TypedArray {
  if (size >= MIN_POOLED) {
    const spare = free[dtype].get(size)?.pop();
    if (spare) return spare.fill(0);
  }
  return typedArrayFor(dtype, size);
}

/** Pages that are not cross-origin isolated have no SharedArrayBuffer at all; nothing there can be shared. */
function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

/** Hands an array back; the caller must hold no other reference to it. */
export function release(dtype: DType, a: TypedArray): void {
  if (a.length < MIN_POOLED || isShared(a.buffer)) return;
  let list = free[dtype].get(a.length);
  if (!list) free[dtype].set(a.length, (list = []));
  if (list.length < MAX_SPARES) list.push(a);
}
