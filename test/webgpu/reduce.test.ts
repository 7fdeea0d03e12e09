// Reductions whose shapes the workgroup-per-row tree handled badly: short rows (most threads idle) and leading or
// middle axes (a transposed copy first). Values against the float64 CPU oracle; the work done, counted.

import { describe, expect, it } from 'vitest';
import type { ReduceOp } from '../../src/backends/backend.js';
import { getBackend } from '../../src/index.js';
import { asOuterReducedInner } from '../../src/backends/webgpu/reduce.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const cpu = getBackend('cpu');

function values(n: number, seed: number): Float32Array {
  // coarse values with ties, so argmax's first-maximum rule is exercised
  return Float32Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 12.9898 + seed) * 8) / 4);
}

describe.skipIf(!gpu)('webgpu short-row and column reductions', () => {
  it('asOuterReducedInner finds [outer, r, inner] ignoring size-1 dims, and refuses split reduced axes', () => {
    expect(asOuterReducedInner([4, 5, 6], [1])).toEqual([4, 5, 6]);
    expect(asOuterReducedInner([4, 1, 5, 6], [0, 1])).toEqual([1, 4, 30]);
    expect(asOuterReducedInner([4, 5, 1, 6], [1, 2])).toEqual([4, 5, 6]);
    expect(asOuterReducedInner([4, 5, 6], [0, 2])).toBeNull();
  });

  const cases: Array<[number[], number[]]> = [
    [[2000, 3], [1]],
    [[3, 2000], [0]],
    [[70, 130], [0]],
    [[7, 5, 90], [1]],
    [
      [6, 1, 40, 9],
      [0, 1, 2],
    ],
    [[300, 1], [1]],
  ];
  for (const op of ['sum', 'max', 'argmax'] as ReduceOp[]) {
    it(`${op} over short rows, leading and middle axes matches the cpu`, async () => {
      for (const [shape, axes] of cases) {
        if (op === 'argmax' && axes.length > 1) continue;
        const n = shape.reduce((a, b) => a * b, 1);
        const v = values(n, shape.length);
        const g = gpu!.fromArray(v, 'float32');
        const got = await gpu!.read(gpu!.reduce(op, g, shape, axes));
        const want = cpu.readSync!(cpu.reduce(op, cpu.fromArray(Float64Array.from(v), 'float64'), shape, axes));
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          if (Math.abs(got[i] - want[i]) > 1e-5 * (1 + Math.abs(want[i])))
            throw new Error(`${op} [${shape}] axes [${axes}]: element ${i} is ${got[i]}, expected ${want[i]}`);
        }
        gpu!.dispose(g);
      }
    });
  }

  it('a [200000, 3] row sum is one thread per row, and a leading-axis sum needs no transposed copy', async () => {
    const rows = 200_000;
    const g = gpu!.fromArray(values(rows * 3, 1), 'float32');
    const s0 = gpu!.stats();
    const y = gpu!.reduce('sum', g, [rows, 3], [1]);
    const s1 = gpu!.stats();
    // one 64-thread workgroup per row was 200000 workgroups
    expect(s1.workgroups - s0.workgroups).toBe(Math.ceil(rows / 64));
    const bias = gpu!.fromArray(values(256 * 64, 2), 'float32');
    const db = gpu!.reduce('sum', bias, [256, 64], [0]);
    const s2 = gpu!.stats();
    expect(s2.dispatches - s1.dispatches).toBe(1); // was a strided copy, then the tree
    const got = await gpu!.read(y);
    expect(got[rows - 1]).toBeCloseTo(
      Array.from(values(rows * 3, 1).subarray(3 * rows - 3)).reduce((a, b) => a + b),
      5,
    );
    for (const s of [g, y, bias, db]) gpu!.dispose(s);
  });
});
