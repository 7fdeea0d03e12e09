// tidy / keep / dispose scopes and live-tensor accounting. A tensor created inside `tidy(fn)` is disposed when fn
// returns unless it is returned or kept; leak tests read `memory()`.

import { getRegisteredBackends } from './backends/backend.js';

/** What memory.ts needs of a tensor (kept abstract so this file sits below tensor.ts). */
export interface Disposable {
  readonly isDisposed: boolean;
  dispose(): void;
}

const scopes: Set<Disposable>[] = [];
const kept = new WeakSet<Disposable>();
let liveTensors = 0;

export function trackTensor(t: Disposable): void {
  liveTensors++;
  if (scopes.length > 0 && !kept.has(t)) scopes[scopes.length - 1].add(t);
}

export function untrackTensor(): void {
  liveTensors--;
}

function collect(value: unknown, into: Set<unknown>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ('isDisposed' in value && 'dispose' in value) {
    into.add(value);
    return;
  }
  // raw numeric data holds no tensors; walking a large typed array element by element would be slow
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  if (Array.isArray(value) || value instanceof Set) for (const v of value) collect(v, into, seen);
  else if (value instanceof Map)
    for (const [k, v] of value) {
      collect(k, into, seen);
      collect(v, into, seen);
    }
  // plain objects and class instances alike: a tensor held in a returned object's field survives
  else for (const v of Object.values(value)) collect(v, into, seen);
}

/**
 * Runs fn and disposes every tensor it created except those it returns (anywhere in arrays, Maps, Sets, plain
 * objects and the fields of class instances) or kept.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // nothing escapes a throwing fn, so everything it made and did not keep is freed
    scopes.pop();
    for (const t of scope) if (!t.isDisposed && !kept.has(t)) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    // what fn made before its first await is freed (not leaked); the orphaned promise's outcome is dropped
    for (const t of scope) if (!t.isDisposed && !kept.has(t)) t.dispose();
    result.catch(() => undefined);
    throw new Error('tidy: fn returned a Promise; tidy only scopes synchronous work (await outside, tidy inside)');
  }
  const survivors = new Set<unknown>();
  collect(result, survivors);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.add(t);
    else if (!t.isDisposed && !kept.has(t)) t.dispose();
  }
  return result;
}

/** Exempts a tensor from every enclosing tidy (it lives until disposed). */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  for (const s of scopes) s.delete(t);
  return t;
}

/** What memory() reports: live tensors, and buffers and bytes per backend. */
export interface MemorySnapshot {
  /** Tensors not yet disposed (views sharing a buffer count separately). */
  tensors: number;
  /** Per backend: live buffers and bytes, and bytes resting in its free list. */
  backends: Record<string, { buffers: number; bytes: number; pooledBytes?: number }>;
  /** Bytes of live storages, all backends. */
  bytes: number;
  /** Bytes kept for reuse by the backends' free lists (not owned by any tensor; bounded per backend). */
  pooledBytes: number;
}

/** A snapshot of live tensors and backend memory: a training step inside tidy() leaves it unchanged. */
export function memory(): MemorySnapshot {
  const backends: MemorySnapshot['backends'] = {};
  let bytes = 0;
  let pooledBytes = 0;
  for (const b of getRegisteredBackends()) {
    backends[b.name] = b.memory();
    bytes += backends[b.name].bytes;
    pooledBytes += backends[b.name].pooledBytes ?? 0;
  }
  return { tensors: liveTensors, backends, bytes, pooledBytes };
}
