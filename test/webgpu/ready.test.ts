// The WebGPU backend under conditions real GPUs and real users bring: a free pool over its cap while work is still
// unsubmitted, grids past the 65535-per-dimension limit, running out of memory, and the counts (dispatches,
// uploads, submits, readbacks, pipelines) a test or a benchmark reads to know what a step costs.

import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/index.js';
import { acquireDevice } from '../../src/backends/webgpu/device.js';
import * as ew from '../../src/backends/webgpu/elementwise.js';
import { matmul } from '../../src/backends/webgpu/matmul.js';
import { Runner } from '../../src/backends/webgpu/runner.js';
import type { GPUDevice, GPUSupportedLimits } from '../../src/backends/webgpu/gpu-types.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();

/** A device whose error scopes report, for the pops numbered in `fake`, the error given there (a stand-in for
 *  running out of memory, which cannot be provoked on a shared CI machine without starving it). */
function withFakeScopeErrors(device: GPUDevice, fake: Map<number, { message: string }>): GPUDevice {
  let pops = 0;
  return new Proxy(device, {
    get(target, prop) {
      if (prop === 'popErrorScope') {
        return () => {
          const n = ++pops;
          const real = target.popErrorScope();
          return fake.has(n) ? real.then(() => fake.get(n)) : real;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A device that reports some limits lower than it has (the runner then splits work as a smaller GPU needs). */
function withLimits(device: GPUDevice, lower: Partial<Record<keyof GPUSupportedLimits, number>>): GPUDevice {
  const limits = new Proxy(device.limits, {
    get: (target, prop) => (prop in lower ? lower[prop as keyof typeof lower] : Reflect.get(target, prop, target)),
  });
  return new Proxy(device, {
    get(target, prop) {
      if (prop === 'limits') return limits;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe.skipIf(!gpu)('webgpu ready for real GPUs', () => {
  it('a buffer released over the pool cap while an unsubmitted batch uses it is destroyed only after the submit', async () => {
    const { device } = await acquireDevice();
    const rt = new Runner(device, 1024); // a 1 KiB cap: every 16 KiB release is over it
    const x = rt.upload('test', new Float32Array(4096).fill(1));
    const y = ew.unary(rt, 'exp', x, 4096, 'float32');
    rt.release(x); // still read by the encoded exp
    const z = ew.unary(rt, 'neg', y, 4096, 'float32');
    rt.release(y);
    const got = new Float32Array(await rt.read(z, 4096 * 4));
    expect(Math.max(...got.map((v) => Math.abs(v + Math.E)))).toBeLessThan(1e-6);
    expect(rt.pool.info().freeBuffers).toBe(0); // over the cap: given back, not pooled
    // and the runner is still healthy for the next op
    expect(() => rt.output('next', 16)).not.toThrow();
    device.destroy();
  });

  it('uploads, small (staged) and large (direct), never overwrite a buffer queued work still reads', async () => {
    for (const n of [4096, 200_000]) {
      const a = gpu!.fromArray(new Float32Array(n).fill(1), 'float32');
      const b = gpu!.unary('exp', a);
      gpu!.dispose(a);
      const c = gpu!.fromArray(new Float32Array(n).fill(5), 'float32'); // may get a's buffer only if that is safe
      const got = await gpu!.read(b);
      expect(Math.max(...Array.from(got.subarray(0, 5000), (v) => Math.abs(v - Math.E))), `n ${n}`).toBeLessThan(1e-6);
      expect(got[n - 1]).toBeCloseTo(Math.E, 5);
      for (const s of [b, c]) gpu!.dispose(s);
    }
  });

  it('matmul with a batch and a row-tile count over the per-dimension grid limit (folded into x/y)', async () => {
    // the real limit is 65535: a batch of 70000 takes ~50 s under SwiftShader on a loaded machine, so the device here
    // reports a limit of 16 and the shapes cross that instead (bench/webgpu-real-gpu.ts runs the full-size case)
    const { device } = await acquireDevice();
    const rt = new Runner(withLimits(device, { maxComputeWorkgroupsPerDimension: 16 }));
    const cpu = getBackend('cpu');
    for (const [batch, m, n, k] of [
      [70, 2, 3, 2],
      [3, 32 * 20 + 5, 2, 3],
      [1, 40, 32 * 17 + 1, 1],
    ]) {
      const a = Float32Array.from({ length: batch * m * k }, (_, i) => (i % 7) - 3);
      const b = Float32Array.from({ length: batch * k * n }, (_, i) => (i % 5) - 2);
      const spec = {
        batchShape: [batch],
        aBatchStrides: [m * k],
        bBatchStrides: [k * n],
        m,
        n,
        k,
        transA: false,
        transB: false,
      };
      const out = matmul(rt, rt.upload('a', a), rt.upload('b', b), spec);
      const got = new Float32Array(await rt.read(out, batch * m * n * 4));
      const want = cpu.readSync!(cpu.matmul(cpu.fromArray(a, 'float32'), cpu.fromArray(b, 'float32'), spec));
      expect(Array.from(got), `[${batch}, ${m}, ${k}] @ [${batch}, ${k}, ${n}]`).toEqual(Array.from(want)); // small integers: exact
    }
    device.destroy();
  });

  it('matmul uses one workgroup per 32x32 tile and batch item, however the grid is split', async () => {
    const { device } = await acquireDevice();
    const rt = new Runner(device);
    const a = rt.upload('a', new Float32Array(3 * 40 * 20));
    const b = rt.upload('b', new Float32Array(3 * 20 * 70));
    const spec = {
      batchShape: [3],
      aBatchStrides: [800],
      bBatchStrides: [1400],
      m: 40,
      n: 70,
      k: 20,
      transA: false,
      transB: false,
    };
    const before = rt.stats().dispatches;
    const out = matmul(rt, a, b, spec);
    expect(rt.stats().dispatches - before).toBe(1);
    expect(Array.from(new Float32Array(await rt.read(out, 3 * 40 * 70 * 4))).every((v) => v === 0)).toBe(true);
    device.destroy();
  });

  it('out of memory is reported as out of memory, with the bytes asked for and how to recover', async () => {
    const { device } = await acquireDevice();
    // Runner pushes [oom, validation] and pops validation first: an OOM batch shows a validation error that is only
    // its consequence (pop 1) and the OOM itself (pop 2)
    const fake = new Map([
      [1, { message: 'Invalid Buffer "x" is invalid due to a previous error' }],
      [2, { message: 'Out of memory allocating a buffer' }],
    ]);
    const rt = new Runner(withFakeScopeErrors(device, fake));
    const out = rt.output('test', 4000);
    rt.dispatch('fill', () => 'this would be a kernel', [1], [out], 0); // no dispatch: only the allocation counts
    const err = await rt.read(out, 16).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /out of GPU memory during a batch of GPU work that allocated 1 new buffer\(s\) of 4096 bytes/,
    );
    expect((err as Error).message).toMatch(/dispose .*initWebGPU\(\) again/);
    expect((err as Error).message).not.toMatch(/validation/);
    expect(() => rt.output('next', 16)).toThrow(/next: webgpu: out of GPU memory/);
    device.destroy();
  });

  it("a read's staging buffer failing is that read's error, not the next batch's", async () => {
    const { device } = await acquireDevice();
    // pops 1-2 close the batch the read flushes; pops 3-4 are the read's own scopes
    const fake = new Map([[4, { message: 'Out of memory for the staging buffer' }]]);
    const rt = new Runner(withFakeScopeErrors(device, fake));
    const out = rt.upload('test', new Float32Array([1, 2, 3, 4]));
    await expect(rt.read(out, 16)).rejects.toThrow(
      /out of GPU memory during a read of 16 bytes.*staging buffer.*To recover/,
    );
    // the device itself is fine: the next read works
    expect(Array.from(new Float32Array(await rt.read(out, 16)))).toEqual([1, 2, 3, 4]);
    device.destroy();
  });

  it('stats() counts dispatches, uploads, clears, submits, readbacks and pipelines', async () => {
    const s0 = gpu!.stats();
    const x = gpu!.fromArray(new Float32Array([1, 2, 3]), 'float32');
    const z = gpu!.zeros(1000, 'float32');
    const y = gpu!.unary('exp', x);
    const w = gpu!.unary('exp', y);
    const s1 = gpu!.stats();
    expect(s1.uploads - s0.uploads).toBe(0); // staged: written with the batch
    expect(s1.clears - s0.clears).toBe(1);
    expect(s1.dispatches - s0.dispatches).toBe(2);
    expect(s1.readbacks - s0.readbacks).toBe(0);
    expect(Array.from(await gpu!.read(z)).every((v) => v === 0)).toBe(true);
    const s2 = gpu!.stats();
    expect(s2.readbacks - s1.readbacks).toBe(1);
    expect(s2.submits - s1.submits).toBe(2); // the batch, then the read's copy
    expect(s2.uploads - s1.uploads).toBe(2); // the batch's parameters and its staged uploads, one writeBuffer each
    expect(s2.uploadBytes - s1.uploadBytes).toBe(2 * 256 + 12); // two parameter slots and x's 12 bytes
    await gpu!.read(w); // nothing new encoded: only the read's own submit
    expect(gpu!.stats().submits - s2.submits).toBe(1);
    expect(gpu!.stats().pipelines).toBe(s2.pipelines); // exp was compiled once (or earlier)
    for (const s of [x, z, y, w]) gpu!.dispose(s);
    expect(getBackend('webgpu')).toBe(gpu);
  });
});

describe.skipIf(!gpu)('webgpu scalars and zeros cost no upload', () => {
  it('a CPU scalar operand is a uniform (either side, float and int), and still a real tensor elsewhere', async () => {
    const x = gpu!.fromArray(new Float32Array([1, -2, 3.5]), 'float32');
    const xi = gpu!.fromArray(new Int32Array([7, -3, 0]), 'int32');
    const view = { shape: [3], strides: [1], offset: 0 };
    const scalarView = { shape: [3], strides: [0], offset: 0 };
    gpu!.flush();
    const s0 = gpu!.stats();
    const k = gpu!.fromArray(new Float32Array([0.5]), 'float32');
    const ki = gpu!.fromArray(new Int32Array([10]), 'int32');
    const ys = [
      gpu!.binary('sub', x, view, k, scalarView, 'float32'),
      gpu!.binary('div', k, scalarView, x, view, 'float32'),
      gpu!.binary('sub', ki, scalarView, xi, view, 'int32'),
      gpu!.binary('lt', xi, view, ki, scalarView, 'int32'),
    ];
    gpu!.flush();
    expect(gpu!.stats().uploadBytes - s0.uploadBytes).toBe(4 * 256); // the four dispatches' parameter slots only
    const got = await Promise.all(ys.map((y) => gpu!.read(y)));
    expect(got.map((a) => Array.from(a))).toEqual([
      [0.5, -2.5, 3],
      [0.5, -0.25, 0.5 / 3.5].map(Math.fround),
      [3, 13, 10],
      [1, 1, 1],
    ]);
    // used by a kernel that needs a buffer, the constant is uploaded then
    expect(Array.from(await gpu!.read(gpu!.unary('neg', k)))).toEqual([-0.5]);
    expect(Array.from(await gpu!.read(k))).toEqual([0.5]);
    for (const s of [x, xi, k, ki, ...ys]) gpu!.dispose(s);
  });

  it('an all-zero array is cleared on the GPU, not uploaded (-0 still is uploaded)', async () => {
    gpu!.flush();
    const s0 = gpu!.stats();
    const z = gpu!.fromArray(new Float32Array(5000), 'float32');
    const s1 = gpu!.stats();
    expect(s1.clears - s0.clears).toBe(1);
    const nz = gpu!.fromArray(new Float32Array([0, -0, 0]), 'float32');
    gpu!.flush();
    expect(gpu!.stats().uploadBytes - s1.uploadBytes).toBe(12); // nz only: z was never uploaded
    expect(Array.from(await gpu!.read(z)).every((v) => Object.is(v, 0))).toBe(true);
    expect(Object.is((await gpu!.read(nz))[1], -0)).toBe(true);
    for (const s of [z, nz]) gpu!.dispose(s);
  });
});
