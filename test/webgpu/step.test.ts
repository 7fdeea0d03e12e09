// What one training step costs on WebGPU, counted: a tiny GPT's trainSft step with AdamW and gradient clipping.
// Counts, not times: they carry over from SwiftShader to real GPUs, where each dispatch, upload, submit and
// readback is a fixed overhead and a pipeline compiled mid-step is a visible stall.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import { sampleWindows } from '../../src/data/index.js';
import { trainSft } from '../../src/train/sft.js';
import type { WebGPUStats } from '../../src/backends/webgpu/runner.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const stream = Array.from({ length: 300 }, (_, i) => (i % 11 === 0 ? 0 : (i % 11) % 9));

describe.skipIf(!gpu)('one webgpu training step, counted', () => {
  it('a 2-layer GPT step: 1 readback, 2 uploads, 2 submits, <= 150 dispatches, no pipeline after step 1', async () => {
    const model = new GPT(
      { vocabSize: 9, blockSize: 8, nEmbd: 16, nLayer: 2, nHead: 2, dropout: 0 },
      { seed: 3, backend: 'webgpu' },
    );
    const optimizer = new AdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0.1 });
    const rng = new Rng(5);
    const costs: WebGPUStats[] = [];
    for (let step = 0; step < 3; step++) {
      const before = gpu!.stats();
      await trainSft({
        model,
        optimizer,
        rng,
        steps: step + 1,
        startStep: step,
        gradClip: 1,
        nextBatch: (_s, r) => sampleWindows(stream, 4, 8, r, 'webgpu'),
      });
      const after = gpu!.stats();
      costs.push(
        Object.fromEntries(
          Object.keys(after).map((k) => [k, after[k as keyof WebGPUStats] - before[k as keyof WebGPUStats]]),
        ) as unknown as WebGPUStats,
      );
    }
    model.dispose();
    optimizer.dispose();
    const [, second, third] = costs;
    const why = JSON.stringify(costs);
    for (const c of [second, third]) {
      expect(c.readbacks, why).toBe(1); // loss and gradient norm together
      expect(c.pipelines, why).toBe(0);
      expect(c.uploads, why).toBeLessThanOrEqual(2); // the parameter arena and the staged batch: one writeBuffer each
      expect(c.submits, why).toBeLessThanOrEqual(2); // the step's batch and the readback
      // was 700 (~390 of them the composed AdamW, 28 now), then ~290 (~90 the composed gradient norm, ~60 the head
      // split and merge around attention); 140 with globalNorm, fused attention and the fused LayerNorm affine
      expect(c.dispatches, why).toBeLessThanOrEqual(150);
    }
    expect(third.dispatches).toBe(second.dispatches); // a steady state: nothing grows step to step
  }, 300_000);
});
