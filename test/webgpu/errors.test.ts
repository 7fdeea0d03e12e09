// What WebGPU users run into: clear errors (float64, synchronous reads, bad indices found on the GPU, buffers over
// the device limit, a lost device, no adapter at all), exact memory accounting with the pool, and bit-identical
// results run to run. The device-loss test runs last: it destroys the device and checks initWebGPU recovers.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { embedding, initWebGPU, memory, randn, tensor, tidy } from '../../src/index.js';
import { acquireDevice } from '../../src/backends/webgpu/device.js';
import { Runner } from '../../src/backends/webgpu/runner.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const on = { backend: 'webgpu' } as const;

describe.skipIf(!gpu)('webgpu errors, memory and determinism', () => {
  it('float64 is a clear error, not a silent downcast', () => {
    expect(() => tensor([1, 2], { ...on, dtype: 'float64' })).toThrow(/webgpu.*float64/);
    expect(() => tensor(new Float64Array([1, 2]), on)).toThrow(/webgpu.*float64/);
    const x = tensor([1, 2], on);
    expect(() => x.astype('float64')).toThrow(/astype.*webgpu.*float64/);
    x.dispose();
  });

  it('dataSync throws and points to await data()', async () => {
    const x = tensor([1, 2, 3], on);
    expect(() => x.dataSync()).toThrow(/webgpu.*await t\.data\(\)/);
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
    x.dispose();
  });

  it('an out-of-range index found on the GPU fails the next read with the op, index and size; later reads work', async () => {
    const x = tensor([[1, 2, 3]], on);
    const bad = tensor([[0, 7]], { ...on, dtype: 'int32' });
    const y = x.gather(1, bad);
    await expect(y.data()).rejects.toThrow(/gather: index 7 is out of range for axis 1 of size 3/);
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
    const w = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { ...on, requiresGrad: true },
    );
    const ids = tensor([-1], { ...on, dtype: 'int32' });
    // embedding's backward is a scatterAdd; its index check runs on the GPU too
    tidy(() => embedding(w, ids).sum().backward());
    await expect(w.grad!.data()).rejects.toThrow(/index -1 is out of range for axis 0 of size 2/);
    for (const t of [x, bad, y, w, ids]) t.dispose();
  });

  it('a buffer over the device limit is refused up front with the sizes', () => {
    const one = tensor([1], on);
    expect(() => one.broadcastTo([2 ** 16, 2 ** 16])).toThrow(
      /copyStrided: needs a GPU buffer of 17179869184 bytes, over this device's limit/,
    );
    one.dispose();
  });

  it('memory() counts live buffers and logical bytes exactly; disposed buffers go to the pool and are reused', () => {
    const before = memory().backends.webgpu;
    const a = tensor(new Float32Array(1000), on);
    const b = tidy(() => a.add(1)); // tidy also frees the scalar operand
    expect(memory().backends.webgpu).toEqual({ buffers: before.buffers + 2, bytes: before.bytes + 8000 });
    const pooled = gpu!.poolInfo().freeBuffers;
    b.dispose();
    expect(gpu!.poolInfo().freeBuffers).toBe(pooled + 1);
    const c = tidy(() => a.mul(2)); // same size: served from the pool
    expect(gpu!.poolInfo().freeBuffers).toBe(pooled);
    for (const t of [a, c]) t.dispose();
    expect(memory().backends.webgpu).toEqual(before);
  });

  it('a buffer freed while queued work still reads it is not reused for an upload before that work runs', async () => {
    // queue.writeBuffer runs ahead of unsubmitted commands: reusing a's buffer for c's upload would feed c to exp
    const a = tensor(new Float32Array(4096).fill(1), on);
    const b = a.exp();
    a.dispose();
    const c = tensor(new Float32Array(4096).fill(5), on);
    const worst = Math.max(...Array.from(await b.data(), (v) => Math.abs(v - Math.E)));
    expect(worst).toBeLessThan(1e-6); // exp(5) would show up as ~145
    for (const t of [b, c]) t.dispose();
  });

  it('same inputs give bit-identical results run to run (matmul, reductions, scatter-add)', async () => {
    const once = async (): Promise<number[]> => {
      const x = randn([67, 45], { ...on, seed: 1, requiresGrad: true });
      const y = randn([45, 71], { ...on, seed: 2 });
      const ids = tensor(
        Array.from({ length: 300 }, (_, i) => (i * 7) % 67),
        { ...on, dtype: 'int32' },
      );
      const loss = tidy(() => {
        const l = embedding(x, ids).sum(0).mul(x.matmul(y).logsumexp(-1).sum()).sum();
        l.backward();
        return l;
      });
      const bits = [...new Uint32Array((await x.grad!.data()).buffer), ...new Uint32Array((await loss.data()).buffer)];
      for (const t of [x, y, ids, loss]) t.dispose();
      return bits;
    };
    expect(await once()).toEqual(await once());
  });

  it('a failure WebGPU reports asynchronously (here: a shader that does not compile) fails the next read and later ops', async () => {
    // a private device, so the backend the other tests use stays healthy
    const { device } = await acquireDevice();
    const rt = new Runner(device);
    const out = rt.output('test', 16);
    rt.dispatch('broken', () => 'this is not WGSL', [1], [out], 1);
    await expect(rt.read(out, 16)).rejects.toThrow(/webgpu: validation error/);
    expect(() => rt.output('next', 16)).toThrow(/next: webgpu: validation error/);
    device.destroy();
  });

  it('without an adapter, initWebGPU says why and what to install', () => {
    // a child process whose Vulkan loader is pointed at a driver file that does not exist
    const script =
      "import('./src/index.ts').then((m) => m.initWebGPU()).then(() => console.log('GOT A DEVICE'), (e) => console.log(e.message))";
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out).toMatch(/no WebGPU adapter is available/);
    expect(out).toMatch(/chromium.*libvulkan1.*VK_ICD_FILENAMES/);
  });

  it('a lost device makes ops fail clearly (no hang), and initWebGPU then gives a working new device', async () => {
    const x = tensor([1, 2], on);
    gpu!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(() => x.add(1)).toThrow(/webgpu: the device was lost/);
    expect(() => x.exp()).toThrow(/exp: webgpu: the device was lost/);
    await expect(x.data()).rejects.toThrow(/device was lost/);
    const fresh = await initWebGPU();
    expect(fresh).not.toBe(gpu);
    expect(Array.from(await tensor([1, 2], on).add(1).data())).toEqual([2, 3]);
  });
});
