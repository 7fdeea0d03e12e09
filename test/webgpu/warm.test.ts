// Pipelines compiled ahead of time: after warmUp() (createComputePipelineAsync), even the first training step of
// a fresh backend compiles nothing synchronously. Its own file, so no other test has compiled anything before.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import { sampleWindows } from '../../src/data/index.js';
import { trainSft } from '../../src/train/sft.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const stream = Array.from({ length: 300 }, (_, i) => (i % 11 === 0 ? 0 : (i % 11) % 9));

describe.skipIf(!gpu)('webgpu pipeline warm-up', () => {
  it('after warmUp, the first step of a GPT with dropout compiles no pipeline synchronously', async () => {
    const s0 = gpu!.stats();
    const warmed = await gpu!.warmUp();
    const s1 = gpu!.stats();
    expect(warmed).toBeGreaterThan(30);
    expect(s1.warmedPipelines - s0.warmedPipelines).toBe(warmed);
    expect(s1.pipelines - s0.pipelines).toBe(0);
    expect(await gpu!.warmUp()).toBe(0); // all cached now
    const model = new GPT(
      { vocabSize: 9, blockSize: 8, nEmbd: 16, nLayer: 1, nHead: 2, dropout: 0.1 },
      { seed: 3, backend: 'webgpu' },
    );
    const optimizer = new AdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0.1 });
    const history = await trainSft({
      model,
      optimizer,
      rng: new Rng(5),
      steps: 1,
      gradClip: 1,
      nextBatch: (_s, r) => sampleWindows(stream, 4, 8, r, 'webgpu'),
    });
    expect(Number.isFinite(history[0].loss as number)).toBe(true);
    expect(gpu!.stats().pipelines - s1.pipelines).toBe(0);
    model.dispose();
    optimizer.dispose();
  }, 300_000);
});
