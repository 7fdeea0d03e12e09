// `npx tsx bench/webgpu-real-gpu.ts [--quick]` (or in a browser, bundled): the first things to check the day the
// WebGPU backend meets a real GPU (NVIDIA/AMD/Intel/Apple/mobile). The unit tests only ever ran on SwiftShader, a
// CPU driver that rounds exactly, never runs out of memory and has no driver timeout; each check below probes
// where a real driver is allowed to differ. Prints one PASS/FAIL/INFO line per check; exits 1 on any FAIL.

import { embedding, initWebGPU, randn, tensor, tidy } from '../src/index.js';
import { webgpuGptSteps, webgpuScatterTimes } from './webgpu-bench.js';

const quick = process.argv.includes('--quick');
const on = { backend: 'webgpu' } as const;
let failed = 0;

function report(ok: boolean | 'info', what: string, detail: string): void {
  if (ok === false) failed++;
  console.log(`${ok === 'info' ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${what}: ${detail}`);
}

async function main(): Promise<void> {
  const gpu = await initWebGPU();
  report('info', 'adapter', gpu.adapterName);

  // 1. numerics a conforming GPU may compute differently from SwiftShader (and from the float64 CPU oracle)
  const x = tensor([1.0001, 2, 0.5, 1e-30, 3], on);
  const y = tensor([10000, 0.5, -3, 2, 1e-3], on);
  const pow = await x.pow(y).data();
  const powWant = [1.0001 ** 10000, Math.SQRT2, 8, 1e-60, 3 ** 1e-3].map(Math.fround);
  const powErr = Math.max(...pow.map((v, i) => Math.abs(v - powWant[i]) / (Math.abs(powWant[i]) || 1)));
  report(
    powErr < 1e-5,
    'pow vs Math.pow',
    `worst relative error ${powErr.toExponential(2)} (exp2(y log2 x) can lose ~1e-3)`,
  );
  const inf = tensor([Infinity, -Infinity, NaN, 0], on);
  const ident = await inf.sub(inf).data(); // inf - inf = NaN; a fast-math driver may fold x - x to 0
  report(
    Number.isNaN(ident[0]) && Number.isNaN(ident[2]) && ident[3] === 0,
    'x - x on +-inf/NaN',
    `[${Array.from(ident)}]`,
  );
  const big = await tensor([3e9, -3e9, 2.5, -2.5], on).astype('int32').data();
  const bigCpu = tensor([3e9, -3e9, 2.5, -2.5]).astype('int32').dataSync();
  report(
    Array.from(big).join() === Array.from(bigCpu).join() ? true : 'info',
    'float -> int32 cast past the int32 range',
    `gpu [${Array.from(big)}], cpu [${Array.from(bigCpu)}] (GPUs saturate; the CPU wraps)`,
  );

  // 2. determinism: the same step twice gives the same bits (no atomics, fixed reduction orders)
  const once = async (): Promise<string> => {
    const w = randn([300, 64], { ...on, seed: 1 }).requireGrad();
    const ids = tensor(
      Array.from({ length: 2048 }, (_, i) => (i * 7919) % 300),
      { ...on, dtype: 'int32' },
    );
    tidy(() =>
      embedding(w, ids)
        .matmul(randn([64, 64], { ...on, seed: 2 }))
        .logsumexp(-1)
        .sum()
        .backward(),
    );
    const bits = Array.from(new Uint32Array((await w.grad!.data()).buffer)).join();
    w.dispose();
    ids.dispose();
    return bits;
  };
  report((await once()) === (await once()), 'bit-identical reruns', 'embedding + matmul + logsumexp gradient');

  // 3. grids past the 65535-per-dimension limit at real size (the unit test fakes a low limit)
  const batch = 70000;
  const a = randn([batch, 2, 2], { ...on, seed: 3 });
  const prod = await a.matmul(a).data();
  const cpuA = tensor(await a.data(), { shape: [batch, 2, 2] });
  const want = cpuA.matmul(cpuA).dataSync();
  report(
    prod.every((v, i) => Math.abs(v - want[i]) <= 1e-5 * (1 + Math.abs(want[i]))),
    'matmul batch 70000',
    'folded grid',
  );

  // 4. the pool over its cap mid-step (the reproduction) and out-of-memory reporting
  if (!quick) {
    const t = randn([8 * 2 ** 20], { ...on, seed: 4 }).requireGrad();
    tidy(() => {
      let h = t;
      for (let i = 0; i < 6; i++) h = h.mul(0.9).tanh();
      h.sum().backward();
    });
    report(
      Number.isFinite((await t.grad!.data())[0]),
      'a step with > 256 MiB of temporaries',
      'no destroyed-in-flight buffer',
    );
    t.dispose();
  }

  // 5. what a step costs, and whether scatter-add stays flat in the vocabulary
  const costs = await webgpuGptSteps(3, 0);
  const last = costs[costs.length - 1];
  report(
    'info',
    'tiny-GPT step counts',
    `${last.dispatches} dispatches, ${last.uploads} uploads, ${last.submits} submits, ` +
      `${last.readbacks} readback(s), ${last.pipelines} pipelines, ${last.ms.toFixed(1)} ms (first step ${costs[0].ms.toFixed(0)} ms)`,
  );
  report(
    last.readbacks <= 1 && last.pipelines === 0 && last.uploads <= 8 && last.dispatches <= 150,
    'step overhead targets',
    'readbacks <= 1, no pipelines, uploads <= 8, dispatches <= 150',
  );
  const [small, large] = await webgpuScatterTimes([64, 4096], 512, 64, 3);
  report(
    large / small <= 2,
    'scatter-add V 4096 vs V 64',
    `${(large / small).toFixed(2)}x (${small.toFixed(2)} / ${large.toFixed(2)} ms)`,
  );
}

main().then(
  () => process.exit(failed ? 1 : 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
