// The soak in CI: 300 training steps of a tiny GPT, sequence length changing every step, a generation every 50
// steps. After warm-up the live tensor count and live bytes must not move at all (counts, not times); the CPU pool
// stays under its cap and does not grow; RSS is allowed generous slack (the garbage collector decides when to
// return memory), but not growth proportional to the steps.

import { describe, expect, it } from 'vitest';
import { soak } from '../../bench/soak-loop.js';
import { MAX_POOLED_BYTES } from '../../src/backends/cpu/pool.js';
import { memory } from '../../src/index.js';

describe('soak (300 steps)', () => {
  it('live tensors and bytes are flat after warm-up; pool and RSS bounded', async () => {
    const before = memory().tensors;
    const samples = await soak({ steps: 300, every: 25, generateEvery: 50 });
    const warm = samples.filter((s) => s.step >= 100);
    expect(warm).toHaveLength(9);
    const [first] = warm;
    for (const s of warm) {
      expect(s.tensors, `step ${s.step}`).toBe(first.tensors);
      expect(s.liveBytes, `step ${s.step}`).toBe(first.liveBytes);
      expect(s.pooledBytes).toBeLessThanOrEqual(MAX_POOLED_BYTES);
      expect(s.pooledBytes, `step ${s.step}`).toBeLessThanOrEqual(first.pooledBytes * 1.5 + 2 ** 20);
      expect(s.rssBytes - first.rssBytes, `step ${s.step}`).toBeLessThan(150 * 2 ** 20);
    }
    // model and optimizer disposed: nothing the soak made is still live
    expect(memory().tensors).toBe(before);
  });
});
