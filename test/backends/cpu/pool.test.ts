// The free list of typed arrays: a reused array comes back zeroed and of the right type, small and shared arrays
// are never pooled, and disposing storages through the backend feeds the list without changing what ops compute.

import { describe, expect, it, vi } from 'vitest';
import { alloc, release } from '../../../src/backends/cpu/pool.js';
import { randn, setCpuThreads, tensor, tidy } from '../../../src/index.js';

describe('cpu array pool', () => {
  it('reuses a released array, zeroed', () => {
    const a = alloc('float32', 1000);
    a.fill(7);
    release('float32', a);
    const b = alloc('float32', 1000);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(alloc('float64', 1000)).not.toBe(a);
  });

  it('does not pool small or shared arrays', () => {
    const small = alloc('int32', 10);
    release('int32', small);
    expect(alloc('int32', 10)).not.toBe(small);
    const shared = new Float32Array(new SharedArrayBuffer(4 * 2000));
    release('float32', shared);
    expect(alloc('float32', 2000)).not.toBe(shared);
  });

  it('works where SharedArrayBuffer does not exist (a page that is not cross-origin isolated), threads off', () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const a = alloc('float64', 1000);
      release('float64', a);
      expect(alloc('float64', 1000)).toBe(a);
      expect(setCpuThreads(2)).toBe(1);
      const x = tensor([1, 2, 3, 4], { shape: [2, 2] });
      expect(Array.from(x.matmul(x).add(1).dataSync())).toEqual([8, 11, 16, 23]);
    } finally {
      vi.unstubAllGlobals();
      setCpuThreads(1);
    }
  });

  it('a training-like loop gives the same numbers with reused buffers', () => {
    const w = randn([40, 30], { seed: 1 }).requireGrad();
    const x = randn([50, 40], { seed: 2 });
    const step = (): number[] =>
      tidy(() => {
        const loss = x.matmul(w).gelu().softmax(-1).mul(x.matmul(w)).sum();
        loss.backward();
        const g = Array.from(w.grad!.dataSync());
        w.zeroGrad();
        return [loss.itemSync(), ...g];
      });
    const first = step();
    for (let i = 0; i < 3; i++) expect(step()).toEqual(first);
  });
});
