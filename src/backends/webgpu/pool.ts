// Size-bucketed reuse of GPU buffers. Creating a GPUBuffer is costly (a driver allocation, often zero-filled), and a
// training step frees and re-requests the same sizes every iteration, so freed buffers wait here for reuse.
//
// Hazard this file guards against: queue.writeBuffer (uploads) runs on the queue timeline *immediately*, ahead of
// commands still sitting in an unsubmitted encoder. A buffer released while such commands may still read it can be
// handed out for a kernel's output (the encoder keeps command order), but not for an upload, until that encoder has
// been submitted. So released buffers wait in `recent` until `onSubmit()`. For the same reason a buffer released over
// the pool's cap is destroyed only after that submit: destroying it earlier fails the submit that still uses it.

import type { GPUBuffer, GPUDevice } from './gpu-types.js';
import { BufferUsage } from './device.js';

/** Rounds a byte size up to its bucket: quarter steps between powers of two, so at most 25% is wasted. */
export function bucketBytes(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  const step = Math.max(4, 2 ** (Math.floor(Math.log2(b)) - 2));
  return Math.ceil(b / step) * step;
}

export interface PoolInfo {
  /** Buffers resting in the pool, not owned by any tensor. */
  freeBuffers: number;
  freeBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly recent = new Map<number, GPUBuffer[]>();
  /** Over the cap but maybe used by the unsubmitted encoder: destroyed in `onSubmit`. */
  private readonly doomed: GPUBuffer[] = [];
  private freeBuffers = 0;
  private freeBytes = 0;

  /** `maxSize` caps the bucket rounding, so a request the device allows is never rounded past its limit. */
  /** Bytes of buffers created since the last `takeCreated()` (what an out-of-memory error was asking for). */
  private created = { count: 0, bytes: 0, largest: 0 };

  /** `maxSize` caps the bucket rounding, so a request the device allows is never rounded past its limit. */
  constructor(
    private readonly device: GPUDevice,
    private readonly maxFreeBytes: number,
    private readonly maxSize: number,
  ) {}

  /** A buffer of at least `bytes` with STORAGE | COPY_SRC | COPY_DST usage. `forUpload` excludes `recent` buffers. */
  acquire(bytes: number, forUpload: boolean): GPUBuffer {
    const size = Math.min(bucketBytes(bytes), Math.floor(this.maxSize / 4) * 4);
    const hit = this.take(this.free, size) ?? (forUpload ? undefined : this.take(this.recent, size));
    if (hit) return hit;
    this.created.count++;
    this.created.bytes += size;
    this.created.largest = Math.max(this.created.largest, size);
    return this.device.createBuffer({
      size,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
  }

  /** `pending` says whether an unsubmitted encoder might still use the buffer. */
  release(buf: GPUBuffer, pending: boolean): void {
    if (this.freeBytes + buf.size > this.maxFreeBytes) {
      // over the cap: give the memory back rather than hoard it. destroy() waits for *submitted* work that uses the
      // buffer, but a buffer destroyed before its encoder is submitted fails that submit, so those wait for onSubmit.
      if (pending) this.doomed.push(buf);
      else buf.destroy();
      return;
    }
    this.freeBuffers++;
    this.freeBytes += buf.size;
    const into = pending ? this.recent : this.free;
    const list = into.get(buf.size);
    if (list) list.push(buf);
    else into.set(buf.size, [buf]);
  }

  /** The encoder was submitted: every buffer released so far is safe for uploads too. */
  onSubmit(): void {
    for (const b of this.doomed) b.destroy();
    this.doomed.length = 0;
    for (const [size, list] of this.recent) {
      const dst = this.free.get(size);
      if (dst) dst.push(...list);
      else this.free.set(size, list);
    }
    this.recent.clear();
  }

  /** What was created since the last call, and starts counting afresh. */
  takeCreated(): { count: number; bytes: number; largest: number } {
    const c = this.created;
    this.created = { count: 0, bytes: 0, largest: 0 };
    return c;
  }

  info(): PoolInfo {
    return { freeBuffers: this.freeBuffers, freeBytes: this.freeBytes };
  }

  /** Destroys every pooled buffer (live ones stay with their tensors). */
  clear(): void {
    for (const b of this.doomed) b.destroy();
    this.doomed.length = 0;
    for (const m of [this.free, this.recent]) {
      for (const list of m.values()) for (const b of list) b.destroy();
      m.clear();
    }
    this.freeBuffers = 0;
    this.freeBytes = 0;
  }

  private take(from: Map<number, GPUBuffer[]>, size: number): GPUBuffer | undefined {
    const buf = from.get(size)?.pop();
    if (buf) {
      this.freeBuffers--;
      this.freeBytes -= size;
    }
    return buf;
  }
}
