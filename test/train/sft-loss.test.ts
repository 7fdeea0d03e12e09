// The SFT loss with a real prompt mask (as the showcase's SFT stage builds it: prompt tokens 0, completion 1),
// against a loss computed per example, unpadded, with a log-softmax written out here; and one trainSft step
// against the same loss summed per row by hand, backward and one SGD step.

import { describe, expect, it } from 'vitest';
import { Rng, noGrad, tensor } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { padBatch, type Example } from '../../src/data/batching.js';
import { tokenLogps } from '../../src/losses/index.js';
import { lmLoss, trainSft } from '../../src/train/sft.js';
import type { MetricsRecord } from '../../src/train/metrics.js';

const cfg = { vocabSize: 9, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const PAD = 8;
// prompt tokens are 0 in lossMask, completion tokens 1 (lossMask[i] says whether predicting ids[i] counts)
const examples: Example[] = [
  { ids: [0, 1, 2, 3, 4], lossMask: [0, 0, 0, 1, 1] },
  { ids: [0, 5, 6], lossMask: [0, 0, 1] },
  { ids: [0, 7, 1, 1, 2, 3], lossMask: [0, 0, 1, 1, 1, 1] },
];

function logSoftmaxAt(row: ArrayLike<number>, target: number): number {
  const xs = Array.from(row);
  const max = Math.max(...xs);
  return xs[target] - max - Math.log(xs.reduce((s, x) => s + Math.exp(x - max), 0));
}

/** Mean NLL over the completion targets, one unpadded forward per example. */
function expectedLoss(model: GPT): number {
  let total = 0;
  let count = 0;
  for (const e of examples) {
    const n = e.ids.length - 1;
    const logits = noGrad(() => model.forward(tensor(e.ids.slice(0, n), { shape: [1, n], dtype: 'int32' }))).dataSync();
    for (let t = 0; t < n; t++) {
      if (!e.lossMask![t + 1]) continue;
      total -= logSoftmaxAt(logits.slice(t * cfg.vocabSize, (t + 1) * cfg.vocabSize), e.ids[t + 1]);
      count++;
    }
  }
  return total / count;
}

const values = (m: GPT) => m.parameters().map((p) => Array.from(p.dataSync()));

describe('SFT loss with a prompt mask', () => {
  it('lmLoss counts only the completion targets', () => {
    const model = new GPT(cfg, { seed: 2, dtype: 'float64' });
    const batch = padBatch(examples, { padId: PAD });
    expect(batch.tokens).toBe(7);
    expect(lmLoss(model, batch).dataSync()[0]).toBeCloseTo(expectedLoss(model), 12);
  });

  it('one trainSft step is that loss, its gradient and one SGD step', async () => {
    const make = () => new GPT(cfg, { seed: 2, dtype: 'float64' });
    const trained = make();
    const log: MetricsRecord[] = await trainSft({
      model: trained,
      optimizer: new SGD(trained.parameters(), { lr: 0.3 }),
      rng: new Rng(1),
      nextBatch: () => padBatch(examples, { padId: PAD }),
      steps: 1,
    });
    const manual = make();
    expect(log[0].loss).toBeCloseTo(expectedLoss(manual), 12);
    expect(log[0].num_tokens).toBe(7);

    // the same loss as a sum of per-example masked rows, so its gradient does not come from lmLoss
    const perRow = examples.map((e) => {
      const n = e.ids.length - 1;
      const logps = tokenLogps(
        manual.forward(tensor(e.ids.slice(0, n), { shape: [1, n], dtype: 'int32' })),
        tensor(e.ids.slice(1), { shape: [1, n], dtype: 'int32' }),
      );
      return logps.mul(tensor(e.lossMask!.slice(1), { shape: [1, n], dtype: 'float64' })).sum();
    });
    const loss = perRow.reduce((a, b) => a.add(b)).div(-7);
    loss.backward();
    const opt = new SGD(manual.parameters(), { lr: 0.3 });
    opt.step();
    const worst = Math.max(
      ...values(trained).flatMap((row, i) => row.map((x, j) => Math.abs(x - values(manual)[i][j]))),
    );
    expect(worst).toBeLessThan(1e-12);
    expect(values(trained)).not.toEqual(values(make()));
  });
});
