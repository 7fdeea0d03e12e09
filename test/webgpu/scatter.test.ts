// scatter-add as the embedding gradient: O(N x D) work whatever the vocabulary (a sorted, segmented sum planned on
// the CPU from the ids it uploaded), the same bits as the line-walking kernel, and the float64 CPU oracle's values.

import { describe, expect, it } from 'vitest';
import { embedding, getBackend, randn, tensor, tidy } from '../../src/index.js';
import { segmentPlan } from '../../src/backends/webgpu/indexing.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const on = { backend: 'webgpu' } as const;

/** The embedding gradient of sum(embedding(w, ids) * g) on webgpu, and the stats it cost. */
async function embeddingGrad(v: number, d: number, ids: number[], seed: number) {
  const w = randn([v, d], { ...on, seed, requiresGrad: true });
  const g = randn([ids.length, d], { ...on, seed: seed + 1 });
  const idsT = tensor(ids, { ...on, dtype: 'int32' });
  const before = gpu!.stats();
  tidy(() => embedding(w, idsT).mul(g).sum().backward());
  const after = gpu!.stats();
  const grad = await w.grad!.data();
  const gValues = await g.data();
  for (const t of [w, g, idsT]) t.dispose();
  return {
    grad,
    gValues,
    workgroups: after.workgroups - before.workgroups,
    dispatches: after.dispatches - before.dispatches,
  };
}

describe.skipIf(!gpu)('webgpu scatter-add (embedding gradient)', () => {
  it('segmentPlan sorts entries by id, keeping entry order within an id, and refuses out-of-range ids', () => {
    const plan = segmentPlan(new Int32Array([3, 1, 3, 0, 1]), 4)!;
    expect(plan.segments).toBe(3);
    expect(Array.from(plan.words)).toEqual([3, 1, 4, 0, 2, /* id, start, end: */ 0, 0, 1, 1, 1, 3, 3, 3, 5]);
    expect(segmentPlan(new Int32Array([0, 4]), 4)).toBeNull();
    expect(segmentPlan(new Int32Array([-1]), 4)).toBeNull();
  });

  it('matches the float64 cpu oracle, with repeated and absent ids', async () => {
    const v = 37;
    const d = 70;
    const ids = Array.from({ length: 300 }, (_, i) => (i * i * 7 + 3) % 31); // ids 31..36 never occur
    const { grad, gValues } = await embeddingGrad(v, d, ids, 4);
    const cpu = getBackend('cpu');
    const want = cpu.readSync!(
      cpu.scatterAdd(
        [v, d],
        0,
        cpu.fromArray(Int32Array.from(ids.flatMap((id) => Array(d).fill(id))), 'int32'),
        cpu.fromArray(Float64Array.from(gValues), 'float64'),
        [ids.length, d],
      ),
    );
    let worst = 0;
    for (let i = 0; i < want.length; i++)
      worst = Math.max(worst, Math.abs(grad[i] - want[i]) / (1 + Math.abs(want[i])));
    expect(worst).toBeLessThan(1e-5);
    expect(Array.from(grad.slice(31 * d))).toEqual(new Array(6 * d).fill(0));
  });

  it('gives the same bits as the line-walking kernel (entries added in the same order)', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => (i * 13) % 17);
    const src = gpu!.fromArray(
      Float32Array.from({ length: 200 * 3 }, (_, i) => Math.sin(i) * 1e3 + 1 / (i + 1)),
      'float32',
    );
    const flat = Int32Array.from(ids.flatMap((id) => [id, id, id]));
    // the same values twice: a broadcast view of uploaded ids (segmented) and a computed copy the CPU does not know
    const known = gpu!.copyStrided(gpu!.fromArray(Int32Array.from(ids), 'int32'), {
      shape: [200, 3],
      strides: [1, 0],
      offset: 0,
    });
    const unknown = gpu!.binary(
      'add',
      gpu!.fromArray(flat, 'int32'),
      { shape: [600], strides: [1], offset: 0 },
      gpu!.fromArray(new Int32Array([0]), 'int32'),
      { shape: [600], strides: [0], offset: 0 },
      'int32',
    );
    const s0 = gpu!.stats().workgroups;
    const a = await gpu!.read(gpu!.scatterAdd([17, 3], 0, known, src, [200, 3]));
    const s1 = gpu!.stats().workgroups;
    const b = await gpu!.read(gpu!.scatterAdd([17, 3], 0, unknown, src, [200, 3]));
    const s2 = gpu!.stats().workgroups;
    expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
    expect(s1 - s0).toBe(1); // 17 ids x 3 columns: one workgroup of segments...
    expect(s2 - s1).toBe(1); // ...and 17 x 3 outputs for the walking kernel: the paths really differ below
  });

  it('work stays flat from V = 64 to V = 4096 at fixed N and D (threads launched, not V x N x D)', async () => {
    const n = 512;
    const d = 64;
    const ids = Array.from({ length: n }, (_, i) => (i * 7919) % 61); // the same 61 ids in both vocabularies
    const small = await embeddingGrad(64, d, ids, 1);
    const large = await embeddingGrad(4096, d, ids, 1);
    // one thread per (distinct id, column), each summing its own run: N x D source reads in all, in either case
    expect(large.workgroups).toBeLessThanOrEqual(2 * small.workgroups);
    expect(large.dispatches).toBe(small.dispatches);
    // and the same gradient rows
    expect(Array.from(large.grad.slice(0, 64 * d))).toEqual(Array.from(small.grad));
  });
});
