// The CPU free list is bounded in bytes and visible in memory() (issue 12, defect 2): a workload whose sizes keep
// changing (generation grows by a token per step) used to park up to 16 spares of every length it ever saw
// (~1.5 GB for a 300-token generation at blockSize 512) while memory() showed 1.6 MB.

import { describe, expect, it } from 'vitest';
import { MAX_POOLED_BYTES, alloc, pooledBytes, release } from '../../../src/backends/cpu/pool.js';
import { memory, zeros } from '../../../src/index.js';

describe('cpu pool cap', () => {
  it('never holds more than MAX_POOLED_BYTES, however many lengths pass through', () => {
    const mib = 2 ** 18; // float32 elements per MiB
    const lengths = Math.ceil((MAX_POOLED_BYTES / 2 ** 20) * 1.5);
    let last: Float32Array | null = null;
    for (let i = 0; i < lengths; i++) {
      last = alloc('float32', mib + i) as Float32Array;
      release('float32', last);
      expect(pooledBytes()).toBeLessThanOrEqual(MAX_POOLED_BYTES);
    }
    expect(pooledBytes()).toBeGreaterThan(MAX_POOLED_BYTES - 2 * 2 ** 20);
    // the most recent length is the one kept: a workload that repeats its latest sizes still reuses
    expect(alloc('float32', mib + lengths - 1)).toBe(last);
    // the oldest lengths went first
    const oldest = alloc('float32', mib);
    expect(oldest.byteLength).toBe(4 * mib);
  });

  it('an array larger than the cap is not pooled', () => {
    const before = pooledBytes();
    const huge = new Float32Array(MAX_POOLED_BYTES / 4 + 1);
    release('float32', huge);
    expect(pooledBytes()).toBe(before);
  });

  it('memory() reports the pooled bytes, apart from live bytes', () => {
    const t = zeros([3001]);
    const m1 = memory();
    t.dispose();
    const m2 = memory();
    expect(m2.bytes).toBe(m1.bytes - 3001 * 4);
    expect(m2.pooledBytes - m1.pooledBytes).toBe(3001 * 4);
    expect(m2.backends.cpu.pooledBytes).toBe(pooledBytes());
    zeros([3001]).dispose(); // reused: the pool does not grow
    expect(memory().pooledBytes).toBe(m2.pooledBytes);
  });
});
