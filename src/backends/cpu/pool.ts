// A free list of typed arrays by dtype and length. A training step allocates the same sizes every step; reusing
// the arrays of disposed storages avoids fresh (page-faulting) allocations and most of the garbage collector's
// work on external memory. Arrays come back zeroed, as `new Float32Array(n)` would.
//
// The list is bounded in bytes, not only per length: a workload whose sizes keep changing (generation grows the
// sequence by one token per step) would otherwise park spares of every length it ever saw. What rests here is
// reported by memory() as pooledBytes.

import type { DType, TypedArray } from '../backend.js';
import { typedArrayFor } from '../backend.js';

/** Small arrays live in V8's heap and are cheap to make; pooling them would cost more than it saves. */
const MIN_POOLED = 256;
/** Spares kept per (dtype, length), so a one-off burst of allocations does not stay resident for ever. */
const MAX_SPARES = 16;
/**
 * The most bytes resting in the pool. A release that would pass it evicts the spares of the lengths least
 * recently pooled first (sizes a workload has moved on from); an array larger than the cap is never pooled.
 */
export const MAX_POOLED_BYTES = 256 * 2 ** 20;

const free: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map(), int32: new Map() };
let pooled = 0;

export function alloc(dtype: DType, size: number): TypedArray {
  if (size >= MIN_POOLED) {
    const list = free[dtype].get(size);
    const spare = list?.pop();
    if (spare) {
      pooled -= spare.byteLength;
      if (list!.length === 0) free[dtype].delete(size);
      return spare.fill(0);
    }
  }
  return typedArrayFor(dtype, size);
}

/** Drops spares, least recently pooled length first (Map order: a length re-enters at the end), until `bytes` fit. */
function evictFor(bytes: number): void {
  for (const byLength of Object.values(free)) {
    for (const [length, list] of byLength) {
      while (list.length > 0 && pooled + bytes > MAX_POOLED_BYTES) pooled -= list.pop()!.byteLength;
      if (list.length === 0) byLength.delete(length);
      if (pooled + bytes <= MAX_POOLED_BYTES) return;
    }
  }
}

/** Pages that are not cross-origin isolated have no SharedArrayBuffer at all; nothing there can be shared. */
function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

/** Hands an array back; the caller must hold no other reference to it. */
export function release(dtype: DType, a: TypedArray): void {
  if (a.length < MIN_POOLED || isShared(a.buffer) || a.byteLength > MAX_POOLED_BYTES) return;
  let list = free[dtype].get(a.length);
  if (list && list.length >= MAX_SPARES) return;
  if (pooled + a.byteLength > MAX_POOLED_BYTES) evictFor(a.byteLength);
  list = free[dtype].get(a.length);
  if (!list) free[dtype].set(a.length, (list = []));
  list.push(a);
  pooled += a.byteLength;
}

/** Bytes of the arrays resting in the pool (owned by no storage). */
export function pooledBytes(): number {
  return pooled;
}
