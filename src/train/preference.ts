// The preference training loop: batches of (prompt, chosen, rejected) token pairs in a fixed order, one forward
// pass over chosen and rejected together, the method's loss on per-token log-probs, gradient clipping and an
// optimizer step. Every method of a comparison runs this same loop with the same order, batch and learning rate.

import type { GPT } from '../nn/gpt.js';
import type { Tensor } from '../tensor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipStats } from '../optim/clip.js';
import { readScalars } from './read-scalars.js';
import type { LrSchedule } from '../optim/schedule.js';
import { concat } from '../autograd/ops/layout.js';
import { tidy } from '../memory.js';
import { Rng } from '../random.js';
import { tokenLogps } from '../losses/logprobs.js';
import { buildPreferenceBatch, type PreferenceBatch } from '../losses/batch.js';
import { referenceLogps, type ReferenceCache } from '../losses/reference.js';
import type { LossOutput, PreferenceInputs } from '../losses/types.js';
import type { TokenPair } from '../data/preference-pairs.js';
import type { MetricsRecord } from './metrics.js';
import { NonFiniteLossError, type TrainingHooks, yieldToEventLoop } from './loop.js';

export interface PreferenceMethod {
  name: string;
  needsReference: boolean;
  loss: (inputs: PreferenceInputs) => LossOutput;
}

/** What trainPreference needs; the shared hooks (metrics, evaluate, onStep, shouldStop) are those of every loop. */
export interface PreferenceTrainOptions extends TrainingHooks {
  model: GPT;
  optimizer: Optimizer;
  method: PreferenceMethod;
  pairs: readonly TokenPair[];
  /** Pair indices in training order; step s uses order[s * batchSize .. (s + 1) * batchSize). */
  order: readonly number[];
  batchSize: number;
  steps: number;
  padId: number;
  gradClip: number;
  /** Learning rate per step (0-based); default the optimizer's lr throughout. */
  schedule?: LrSchedule;
  /** The frozen reference (the SFT checkpoint) and a cache of its log-probs keyed by pair index. */
  reference?: { model: GPT; cache: ReferenceCache };
  /** Extra fields on every logged record (method, seed, ...). */
  tags?: MetricsRecord;
}

/** `count` pair indices: whole shuffled passes over `pairs` pairs, reproducible from the seed. */
export function trainingOrder(pairs: number, count: number, seed: number): number[] {
  const rng = new Rng(seed);
  const order: number[] = [];
  while (order.length < count) {
    const pass = Array.from({ length: pairs }, (_, i) => i);
    for (let i = pass.length - 1; i > 0; i--) {
      const j = rng.nextSeed() % (i + 1);
      [pass[i], pass[j]] = [pass[j], pass[i]];
    }
    order.push(...pass);
  }
  return order.slice(0, count);
}

function disposeBatch(batch: PreferenceBatch): void {
  for (const side of [batch.chosen, batch.rejected]) for (const t of [side.ids, side.targets, side.mask]) t.dispose();
}

/** Loss, terms and TRL metrics of one step, with the gradients accumulated into the parameters. */
async function lossAndGrads(
  o: PreferenceTrainOptions,
  indices: number[],
): Promise<{ values: MetricsRecord; loss: number; scale: Tensor | null }> {
  const { model } = o;
  // masks (and so cached reference log-probs) in the model's dtype: a float64 run stays float64 end to end
  const dtype = model.dtype === 'float64' ? 'float64' : 'float32';
  const batch = buildPreferenceBatch(
    indices.map((i) => o.pairs[i]),
    { padId: o.padId, dtype, backend: model.backend },
  );
  const ref =
    o.method.needsReference && o.reference
      ? await referenceLogps((ids) => o.reference!.model.forward(ids), batch, {
          cache: o.reference.cache,
          keys: indices,
        })
      : undefined;
  if (o.method.needsReference && !ref)
    throw new Error(`trainPreference: method '${o.method.name}' needs a reference model, and none was given`);
  try {
    const [loss, norm, scale, metrics] = tidy(() => {
      // chosen and rejected share one forward pass: half the per-op overhead of two
      const ids = concat([batch.chosen.ids, batch.rejected.ids], 0);
      const targets = concat([batch.chosen.targets, batch.rejected.targets], 0);
      const logps = tokenLogps(model.forward(ids), targets);
      const B = indices.length;
      const out = o.method.loss({
        chosenLogps: logps.slice([0], [B]),
        chosenMask: batch.chosen.mask,
        rejectedLogps: logps.slice([B], [2 * B]),
        rejectedMask: batch.rejected.mask,
        ...ref,
      });
      out.loss.backward();
      // the same clipping path as trainSft: the scale folds into the optimizer step, the gradients stay as they are
      const { norm, scale } = clipStats(model.parameters(), o.gradClip);
      return [out.loss, norm, scale, out.metrics] as const;
    });
    const names = Object.keys(metrics);
    const [lossValue, normValue, ...rest] = await readScalars([loss, norm, ...names.map((n) => metrics[n])]);
    const values: MetricsRecord = { loss: lossValue, grad_norm: normValue };
    names.forEach((name, i) => (values[name] = rest[i]));
    for (const t of [loss, norm, ...Object.values(metrics)]) t.dispose();
    return { values, loss: values.loss as number, scale };
  } finally {
    disposeBatch(batch);
    if (ref) {
      ref.refChosenLogps.dispose();
      ref.refRejectedLogps.dispose();
    }
  }
}

/**
 * Trains for o.steps steps (or until shouldStop); returns the records of the steps done, one per step. Throws a
 * NonFiniteLossError (leaving the parameters as they were) on a non-finite loss.
 */
export async function trainPreference(o: PreferenceTrainOptions): Promise<MetricsRecord[]> {
  const { model, optimizer, steps, batchSize } = o;
  if (o.order.length < steps * batchSize) {
    throw new Error(
      `trainPreference: the order has ${o.order.length} indices, fewer than steps x batchSize = ${steps * batchSize}`,
    );
  }
  model.train();
  const history: MetricsRecord[] = [];
  for (let step = 0; step < steps; step++) {
    // let signal handlers (Ctrl-C) run between steps: the step itself is synchronous work
    await yieldToEventLoop();
    if (o.shouldStop?.()) break;
    if (o.schedule) optimizer.lr = o.schedule(step);
    const indices = o.order.slice(step * batchSize, (step + 1) * batchSize) as number[];
    const { values, loss, scale } = await lossAndGrads(o, indices);
    if (!Number.isFinite(loss)) {
      scale?.dispose();
      optimizer.zeroGrad();
      throw new NonFiniteLossError(
        'trainPreference',
        step + 1,
        `${o.method.name} produced a non-finite loss (${loss})`,
      );
    }
    optimizer.step(scale ? { gradScale: scale } : {});
    scale?.dispose();
    optimizer.zeroGrad();
    const done = step + 1;
    const record: MetricsRecord = {
      ...o.tags,
      phase: 'preference',
      step: done,
      learning_rate: optimizer.lr,
      ...values,
    };
    if (o.evaluate && (done % o.evaluate.every === 0 || done === steps))
      Object.assign(record, await o.evaluate.run(done));
    history.push(record);
    o.metrics?.log(record);
    o.onStep?.(record);
  }
  return history;
}
