// Numerics a conforming GPU may compute differently from the float64 CPU oracle, pinned down: pow through an
// accurate log2 (WGSL's log2 near 1 is only ~2^-21 absolute, and pow multiplies that error by the exponent), pow's
// special values as Math.pow has them, and float -> int32 casts that wrap like an Int32Array store.

import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/index.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const cpu = getBackend('cpu');

async function gpuPow(xs: number[], ys: number[]): Promise<Float32Array> {
  const a = gpu!.fromArray(Float32Array.from(xs), 'float32');
  const b = gpu!.fromArray(Float32Array.from(ys), 'float32');
  const view = { shape: [xs.length], strides: [1], offset: 0 };
  const out = gpu!.binary('pow', a, view, b, view, 'float32');
  const got = (await gpu!.read(out)) as Float32Array;
  for (const s of [a, b, out]) gpu!.dispose(s);
  return got;
}

describe.skipIf(!gpu)('webgpu numerics vs the float64 cpu oracle', () => {
  it('pow with large exponents of bases near 1 (log2 error times y) stays within float32 rounding', async () => {
    const cases: Array<[number, number]> = [
      [1.0001, 10000],
      [0.9999, -5000],
      [1.5, 40],
      [0.7, 150],
      [3, 20.5],
      [1e-3, 0.37],
      [7e30, 1.1],
    ];
    const xs = cases.map(([x]) => Math.fround(x));
    const got = await gpuPow(
      xs,
      cases.map(([, y]) => y),
    );
    cases.forEach(([, y], i) => {
      const want = xs[i] ** y;
      // float32 inputs are exact; the result's error is a few ulp of y log2 x (|y log2 x| up to ~110 here)
      expect(Math.abs(got[i] - want) / want, `${xs[i]} ** ${y}: ${got[i]} vs ${want}`).toBeLessThan(2e-5);
    });
    expect(Math.abs(got[0] - xs[0] ** 10000) / xs[0] ** 10000).toBeLessThan(1e-6);
  });

  it("pow's special values (0, inf, 1, NaN, negative bases) are Math.pow's", async () => {
    const bases = [0, -0, Infinity, -Infinity, 1, -1, 2, -2, 0.5, NaN];
    const exps = [Infinity, -Infinity, 0, 3, -3, 0.5, 2, 1, NaN];
    const xs = bases.flatMap((x) => exps.map(() => x));
    const ys = bases.flatMap(() => exps);
    const got = await gpuPow(xs, ys);
    xs.forEach((x, i) => {
      const want = Math.fround(x ** ys[i]);
      // special values exactly; ordinary ones (2 ** 0.5) within 2 ulp
      const finite = Number.isFinite(want) && want !== 0;
      const ok = Number.isNaN(want)
        ? Number.isNaN(got[i])
        : finite
          ? Math.abs(got[i] - want) <= 2.4e-7 * Math.abs(want)
          : Object.is(got[i], want);
      if (!ok) throw new Error(`pow(${x}, ${ys[i]}) is ${got[i]}, Math.pow gives ${want}`);
    });
  });

  it('float -> int32 casts truncate and wrap like the cpu (GPUs saturate natively)', async () => {
    const xs = [
      2.7,
      -2.7,
      3e9,
      -3e9,
      2 ** 31,
      -(2 ** 31),
      2 ** 31 + 256,
      1e10,
      -1e10,
      1e20,
      6e9 + 1024,
      Infinity,
      -Infinity,
      NaN,
      0,
    ];
    const g = gpu!.fromArray(Float32Array.from(xs), 'float32');
    const got = await gpu!.read(gpu!.cast(g, 'int32'));
    const want = cpu.readSync!(cpu.cast(cpu.fromArray(Float32Array.from(xs), 'float32'), 'int32'));
    expect(Array.from(got)).toEqual(Array.from(want));
    gpu!.dispose(g);
  });
});
