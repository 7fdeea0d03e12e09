// concat binds up to 7 inputs per dispatch: 17 inputs of uneven widths (one empty) along a middle axis, against
// the CPU's concat, and the dispatch count that is the point (3, not 17); int32 bits move unchanged.

import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/index.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();

describe.skipIf(!gpu)('webgpu concat of many inputs', () => {
  for (const dtype of ['float32', 'int32'] as const) {
    it(`17 ${dtype} inputs along axis 1 in 3 dispatches`, async () => {
      const cpu = getBackend('cpu');
      const widths = [3, 1, 0, 5, 2, 7, 1, 4, 9, 1, 2, 3, 6, 1, 1, 8, 2];
      const shapes = widths.map((w) => [2, w, 3]);
      const arrays = shapes.map((s, t) => {
        const n = s[0] * s[1] * s[2];
        const vals = Array.from({ length: n }, (_, i) => t * 1000 + i - 7);
        return dtype === 'int32' ? Int32Array.from(vals) : Float32Array.from(vals, (v) => v + 0.25);
      });
      const gs = arrays.map((a) => gpu!.fromArray(a, dtype));
      const cs = arrays.map((a) => cpu.fromArray(a, dtype));
      const before = gpu!.stats().dispatches;
      const out = gpu!.concat(gs, shapes, 1);
      expect(gpu!.stats().dispatches - before).toBe(3);
      const want = Array.from(cpu.readSync!(cpu.concat(cs, shapes, 1)));
      expect(Array.from(await gpu!.read(out))).toEqual(want);
      expect(want.length).toBe(2 * 56 * 3);
      for (const s of [...gs, out]) gpu!.dispose(s);
    });
  }
});
