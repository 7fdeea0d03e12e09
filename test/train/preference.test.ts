// trainPreference against a step computed by hand: per-side batches laid out literally in this file (not by
// buildPreferenceBatch), the loss taken from the losses API, the gradient clipped and one SGD step. SGD (not Adam)
// makes the parameter change proportional to the gradient, so a wrong loss cannot hide behind Adam's sign-like
// first step. Two steps, with pairs in a new order, pin the reference cache to pair keys.

import { describe, expect, it } from 'vitest';
import { noGrad, tensor } from '../../src/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { SGD, clipGradNorm } from '../../src/optim/index.js';
import {
  ReferenceCache,
  dpo,
  simpo,
  tokenLogps,
  type LossOutput,
  type PreferenceInputs,
} from '../../src/losses/index.js';
import { trainPreference } from '../../src/train/preference.js';
import type { TokenPair } from '../../src/data/preference-pairs.js';
import type { MetricsRecord } from '../../src/train/metrics.js';

const cfg: GPTConfig = { vocabSize: 7, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const PAD = 6;
const pairs: TokenPair[] = [
  { prompt: [0, 1], chosen: [2, 3], rejected: [4] },
  { prompt: [0], chosen: [5, 2, 1], rejected: [3, 3] },
  { prompt: [0, 2, 2], chosen: [1], rejected: [5, 4] },
];
const order = [2, 0, 1, 2];
const LR = 0.5;
const CLIP = 1;

/** One side laid out by hand: ids = prompt + completion minus its last token, targets shifted by one, mask on completion. */
function side(batch: TokenPair[], which: 'chosen' | 'rejected', T: number, dtype: 'float64') {
  const ids: number[] = [];
  const targets: number[] = [];
  const mask: number[] = [];
  for (const p of batch) {
    const full = [...p.prompt, ...p[which]];
    for (let t = 0; t < T; t++) {
      ids.push(t < full.length - 1 ? full[t] : PAD);
      targets.push(t + 1 < full.length ? full[t + 1] : PAD);
      mask.push(t >= p.prompt.length - 1 && t < full.length - 1 ? 1 : 0);
    }
  }
  const shape = [batch.length, T];
  return {
    ids: tensor(ids, { shape, dtype: 'int32' }),
    targets: tensor(targets, { shape, dtype: 'int32' }),
    mask: tensor(mask, { shape, dtype }),
  };
}

function inputs(policy: GPT, reference: GPT | null, batch: TokenPair[]): PreferenceInputs {
  const T = Math.max(
    ...batch.flatMap((p) => [p.prompt.length + p.chosen.length - 1, p.prompt.length + p.rejected.length - 1]),
  );
  const c = side(batch, 'chosen', T, 'float64');
  const r = side(batch, 'rejected', T, 'float64');
  const ref =
    reference &&
    noGrad(() => ({
      refChosenLogps: tokenLogps(reference.forward(c.ids), c.targets),
      refRejectedLogps: tokenLogps(reference.forward(r.ids), r.targets),
    }));
  return {
    chosenLogps: tokenLogps(policy.forward(c.ids), c.targets),
    chosenMask: c.mask,
    rejectedLogps: tokenLogps(policy.forward(r.ids), r.targets),
    rejectedMask: r.mask,
    ...ref,
  };
}

const values = (m: GPT) => m.parameters().map((p) => Array.from(p.dataSync()));

function expectClose(a: number[][], b: number[][]): void {
  const worst = Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i][j]))));
  expect(worst).toBeLessThan(1e-12);
}

async function compare(loss: (x: PreferenceInputs) => LossOutput, needsReference: boolean) {
  const make = () => new GPT(cfg, { seed: 3, dtype: 'float64' });
  const reference = needsReference ? new GPT(cfg, { seed: 8, dtype: 'float64' }) : null;
  const trained = make();
  const logged: MetricsRecord[] = [];
  const done = await trainPreference({
    model: trained,
    optimizer: new SGD(trained.parameters(), { lr: LR }),
    method: { name: 'm', needsReference, loss },
    pairs,
    order,
    batchSize: 2,
    steps: 2,
    padId: PAD,
    gradClip: CLIP,
    reference: reference ? { model: reference, cache: new ReferenceCache() } : undefined,
    onStep: (r) => {
      logged.push(r);
    },
  });
  expect(done).toHaveLength(2);

  const manual = make();
  const opt = new SGD(manual.parameters(), { lr: LR });
  const expectedLoss: number[] = [];
  for (const step of [0, 1]) {
    const batch = order.slice(step * 2, step * 2 + 2).map((i) => pairs[i]);
    const out = loss(inputs(manual, reference, batch));
    expectedLoss.push(out.loss.dataSync()[0]);
    out.loss.backward();
    clipGradNorm(manual.parameters(), CLIP);
    opt.step();
    opt.zeroGrad();
  }
  expect(logged.map((r) => r.loss as number)[0]).toBeCloseTo(expectedLoss[0], 12);
  expect(logged.map((r) => r.loss as number)[1]).toBeCloseTo(expectedLoss[1], 12);
  expectClose(values(trained), values(manual));
  // the steps did move the parameters
  expect(values(trained)).not.toEqual(values(make()));
}

describe('trainPreference: each step is the losses API on the right pairs plus one optimizer step', () => {
  it('reference-based (DPO): the policy and the cached reference log-probs of each pair', async () => {
    await compare((x) => dpo(x, { beta: 0.5 }), true);
  });

  it('reference-free (SimPO)', async () => {
    await compare((x) => simpo(x), false);
  });
});
