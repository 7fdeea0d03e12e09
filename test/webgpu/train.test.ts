// Training on WebGPU: a tiny GPT follows the CPU float32 loss trajectory step for step, and a long run inside the
// training loop's tidy scopes holds GPU memory flat (live buffers and bytes as memory() reports them).

import { describe, expect, it } from 'vitest';
import { Rng, memory, tidy } from '../../src/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import { sampleWindows } from '../../src/data/index.js';
import { lmLoss, trainSft } from '../../src/train/sft.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
// SwiftShader runs these on the CPU; on a loaded 2-core CI machine they need more than the default 120 s budget
const SLOW_TIMEOUT = 300_000;

// a stream with a learnable rule: each token is the previous + 1, with resets
const stream = Array.from({ length: 300 }, (_, i) => (i % 11 === 0 ? 0 : (i % 11) % 9));

async function run(backend: string, cfg: GPTConfig, steps: number): Promise<number[]> {
  const model = new GPT(cfg, { seed: 3, backend });
  const history = await trainSft({
    model,
    optimizer: new AdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0.1 }),
    rng: new Rng(5),
    nextBatch: (_step, rng) => sampleWindows(stream, 4, cfg.blockSize, rng, backend),
    steps,
    gradClip: 1,
  });
  model.dispose();
  return history.map((r) => r.loss as number);
}

describe.skipIf(!gpu)('training a tiny GPT on webgpu', () => {
  it(
    '20 steps follow the cpu float32 loss trajectory within 1e-3 relative',
    async () => {
      // dropout on: its masks come from the counter-based RNG, so both backends drop the same units
      const cfg: GPTConfig = { vocabSize: 9, blockSize: 8, nEmbd: 16, nLayer: 2, nHead: 2, dropout: 0.1 };
      const cpuLosses = await run('cpu', cfg, 20);
      const gpuLosses = await run('webgpu', cfg, 20);
      const worst = Math.max(...gpuLosses.map((l, i) => Math.abs(l - cpuLosses[i]) / Math.abs(cpuLosses[i])));
      expect(
        worst,
        `cpu ${cpuLosses.map((l) => l.toFixed(5))}\ngpu ${gpuLosses.map((l) => l.toFixed(5))}`,
      ).toBeLessThan(1e-3);
      // and it learned something, so the comparison is not between two flat lines
      expect(gpuLosses[19]).toBeLessThan(gpuLosses[0] * 0.8);
    },
    SLOW_TIMEOUT,
  );

  it(
    '200 steps inside tidy leave live GPU buffers and bytes exactly as they were after step 10',
    async () => {
      const cfg: GPTConfig = { vocabSize: 9, blockSize: 4, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
      const model = new GPT(cfg, { seed: 3, backend: 'webgpu' });
      const optimizer = new AdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0.1 });
      const rng = new Rng(5);
      const seen = new Map<number, unknown>();
      const losses: number[] = [];
      for (let step = 1; step <= 200; step++) {
        const loss = tidy(() => {
          const l = lmLoss(model, sampleWindows(stream, 4, cfg.blockSize, rng, 'webgpu'));
          l.backward();
          return l;
        });
        optimizer.step();
        optimizer.zeroGrad();
        // reading every step would only measure readback latency; every 20th keeps the queue honest
        if (step % 20 === 0) losses.push(await loss.item());
        loss.dispose();
        if (step === 10 || step === 200) seen.set(step, { ...memory().backends.webgpu, tensors: memory().tensors });
      }
      model.dispose();
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
      expect((seen.get(10) as { buffers: number }).buffers).toBeGreaterThan(0);
      expect(seen.get(200)).toEqual(seen.get(10));
    },
    SLOW_TIMEOUT,
  );
});
