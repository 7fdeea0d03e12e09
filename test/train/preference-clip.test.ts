// trainPreference clips the way trainSft does: clipStats' scale goes to optimizer.step({ gradScale }) and the
// gradients are left as backward made them (the step equals clipGradNorm's rewrite, which preference.test.ts
// checks by hand). Here: the scale handed over is min(1, clip / (norm + 1e-6)) of the logged grad_norm, and the
// gradients the optimizer sees still have that norm.

import { describe, expect, it, vi } from 'vitest';
import { GPT } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { simpo } from '../../src/losses/index.js';
import { trainPreference } from '../../src/train/preference.js';

describe('trainPreference clipping', () => {
  for (const clip of [0.05, 1e6]) {
    it(`passes the clip scale to the optimizer and leaves the gradients unclipped (clip ${clip})`, async () => {
      const model = new GPT(
        { vocabSize: 7, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 },
        { seed: 4, dtype: 'float64' },
      );
      const optimizer = new SGD(model.parameters(), { lr: 0.1 });
      const seen: { scale: number | null; norm: number }[] = [];
      const step = optimizer.step.bind(optimizer);
      vi.spyOn(optimizer, 'step').mockImplementation((options = {}) => {
        let sq = 0;
        for (const p of model.parameters()) for (const g of p.grad!.dataSync()) sq += g * g;
        seen.push({ scale: options.gradScale ? options.gradScale.dataSync()[0] : null, norm: Math.sqrt(sq) });
        step(options);
      });
      const [record] = await trainPreference({
        model,
        optimizer,
        method: { name: 'simpo', needsReference: false, loss: (i) => simpo(i, { beta: 2, gamma: 0.5 }) },
        pairs: [
          { prompt: [0, 1], chosen: [2, 3], rejected: [4] },
          { prompt: [0], chosen: [5, 2, 1], rejected: [3, 3] },
        ],
        order: [0, 1],
        batchSize: 2,
        steps: 1,
        padId: 6,
        gradClip: clip,
      });
      const norm = record.grad_norm as number;
      expect(seen).toHaveLength(1);
      expect(seen[0].norm).toBeCloseTo(norm, 12);
      expect(seen[0].scale).toBeCloseTo(Math.min(1, clip / (norm + 1e-6)), 12);
      if (clip < 1) expect(seen[0].scale!).toBeLessThan(1);
      else expect(seen[0].scale).toBe(1);
    });
  }
});
