// `npx tsx bench/webgpu-bench.ts [--quick]`: what a training step costs on the WebGPU backend, as counts (dispatches,
// uploads, submits, readbacks, pipelines created) next to the time. Under SwiftShader the time says little about a
// real GPU; the counts carry over unchanged. Also times scatter-add (the embedding gradient) as the vocabulary grows
// at a fixed number of ids, which must stay flat: linear in N x D, not V x N x D.

import { Rng, embedding, initWebGPU, randn, tensor, tidy } from '../src/index.js';
import { GPT } from '../src/nn/index.js';
import { AdamW } from '../src/optim/index.js';
import { sampleWindows } from '../src/data/index.js';
import { trainSft } from '../src/train/sft.js';
import type { WebGPUStats } from '../src/backends/webgpu/runner.js';
import { GPT_SHAPE } from './gpt-bench.js';
import { summarize } from './stats.js';

/** What one step cost: the difference of two stats() snapshots, and the wall time. */
export interface StepCost extends WebGPUStats {
  ms: number;
}

function diff(a: WebGPUStats, b: WebGPUStats): WebGPUStats {
  const out = { ...b };
  for (const k of Object.keys(a) as (keyof WebGPUStats)[]) out[k] = b[k] - a[k];
  return out;
}

/** `steps` trainSft steps of the bench's tiny GPT (AdamW, gradient clipping at 1) on webgpu, each one counted. */
export async function webgpuGptSteps(steps: number, dropout: number): Promise<StepCost[]> {
  const gpu = await initWebGPU();
  const s = GPT_SHAPE;
  const model = new GPT(
    { vocabSize: s.vocab, blockSize: s.ctx, nEmbd: s.d, nLayer: s.layers, nHead: s.heads, dropout },
    { seed: 7, backend: 'webgpu' },
  );
  const optimizer = new AdamW(model.namedParameters(), { lr: 3e-3, weightDecay: 0.1 });
  const stream = Array.from({ length: 4096 }, (_, i) => (i * 13 + ((i * i) % 7)) % s.vocab);
  const rng = new Rng(5);
  const costs: StepCost[] = [];
  for (let step = 0; step < steps; step++) {
    const before = gpu.stats();
    const t0 = performance.now();
    // startStep = step, steps = step + 1: exactly one step of the real training loop
    await trainSft({
      model,
      optimizer,
      rng,
      steps: step + 1,
      startStep: step,
      gradClip: 1,
      nextBatch: (_step, r) => sampleWindows(stream, s.batch, s.ctx, r, 'webgpu'),
    });
    costs.push({ ...diff(before, gpu.stats()), ms: performance.now() - t0 });
  }
  optimizer.dispose();
  model.dispose();
  return costs;
}

/** ms per embedding-gradient step (scatter-add of N ids into [V, D]) for each V. */
export async function webgpuScatterTimes(
  vocabs: readonly number[],
  n: number,
  d: number,
  reps: number,
): Promise<number[]> {
  const gpu = await initWebGPU();
  const on = { backend: 'webgpu' } as const;
  const out: number[] = [];
  for (const v of vocabs) {
    const w = randn([v, d], { ...on, seed: 1, requiresGrad: true });
    const ids = tensor(
      Array.from({ length: n }, (_, i) => (i * 7919) % v),
      { ...on, dtype: 'int32' },
    );
    const times: number[] = [];
    for (let r = 0; r < reps + 1; r++) {
      const t0 = performance.now();
      tidy(() => embedding(w, ids).sum().backward());
      await w.grad!.data();
      if (r > 0) times.push(performance.now() - t0); // the first compiles the kernels
      w.zeroGrad();
    }
    out.push(summarize(times).median);
    w.dispose();
    ids.dispose();
  }
  gpu.flush();
  return out;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const gpu = await initWebGPU();
  console.log(`webgpu bench on ${gpu.adapterName}`);
  const t0 = performance.now();
  const warmed = await gpu.warmUp();
  console.log(
    `warmUp: ${warmed} pipelines compiled with createComputePipelineAsync in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  for (const dropout of [0, 0.1]) {
    const costs = await webgpuGptSteps(quick ? 2 : 4, dropout);
    console.log(
      `tiny-GPT trainSft step (AdamW + clipping, dropout ${dropout}); targets: <= 150 dispatches, <= 8 uploads, ` +
        '<= 1 readback, 0 pipelines after step 1',
    );
    console.log('step | dispatches | uploads (bytes) | submits | readbacks | pipelines | clears | ms');
    costs.forEach((c, i) => {
      console.log(
        `${i + 1} | ${c.dispatches} | ${c.uploads} (${c.uploadBytes}) | ${c.submits} | ${c.readbacks} | ${c.pipelines} | ` +
          `${c.clears} | ${c.ms.toFixed(0)}`,
      );
    });
  }
  const vocabs = [64, 4096];
  const times = await webgpuScatterTimes(vocabs, 512, 64, quick ? 1 : 3);
  console.log(
    `scatter-add N 512, D 64: ${vocabs.map((v, i) => `V ${v} ${times[i].toFixed(1)} ms`).join(', ')}; ` +
      `ratio V ${vocabs[1]} / V ${vocabs[0]} = ${(times[1] / times[0]).toFixed(2)} (target <= 2)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
