// Supervised fine-tuning / language-model training: next-token cross-entropy over the loss-masked targets, with
// an LR schedule, gradient clipping, metrics, a progress bar, periodic evaluation and checkpoints. All randomness
// (batches, dropout) comes from one Rng that is checkpointed, so a resumed run continues bit-identically.

import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/graph.js';
import { tidy } from '../memory.js';
import type { Rng } from '../random.js';
import type { GPT } from '../nn/gpt.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipStats } from '../optim/clip.js';
import { readScalars } from './read-scalars.js';
import { constantLr, type LrSchedule } from '../optim/schedule.js';
import { tokenLogps } from '../losses/logprobs.js';
import type { LmBatch } from '../data/batching.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint-files.js';
import type { ByteLevelTokenizer } from '../io/hf-tokenizer.js';
import type { MetricsRecord } from './metrics.js';
import { NonFiniteLossError, type TrainingHooks, yieldToEventLoop } from './loop.js';
import { ProgressBar } from './progress.js';

/** Mean negative log-likelihood of the targets selected by lossMask (every counted token weighs the same). */
export function lmLoss(model: GPT, batch: LmBatch, rng?: Rng): Tensor {
  if (!(batch.tokens > 0))
    throw new Error(`lmLoss: the batch has no target tokens in its loss mask (inputs [${batch.inputs.shape}])`);
  const logps = tokenLogps(model.forward(batch.inputs, { rng }), batch.targets);
  return logps.where(batch.lossMask, 0).sum().div(-batch.tokens);
}

/** Mean per-token loss over batches, in eval mode (no dropout), without recording a graph. */
export async function evaluateLoss(model: GPT, batches: readonly LmBatch[]): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let tokens = 0;
  try {
    for (const b of batches) {
      const loss = tidy(() => noGrad(() => lmLoss(model, b).mul(b.tokens)));
      total += await loss.item();
      loss.dispose();
      tokens += b.tokens;
    }
  } finally {
    model.train(wasTraining);
  }
  return total / tokens;
}

/** What trainSft needs; the shared hooks (metrics, evaluate, onStep, shouldStop) are those of every loop. */
export interface SftOptions extends TrainingHooks {
  model: GPT;
  optimizer: Optimizer;
  /** The run's random stream: batch sampling and dropout draw from it. */
  rng: Rng;
  /** The batch for a step. Draw randomness only from `rng`, so a resumed run sees the same batches. */
  nextBatch: (step: number, rng: Rng) => LmBatch;
  /** Train until this many steps are done (counting from 0, including steps before startStep). */
  steps: number;
  /** Steps already done (when resuming); default 0. */
  startStep?: number;
  /** Default: the optimizer's current lr throughout. */
  schedule?: LrSchedule;
  /** Clip the global gradient norm to this; the norm is logged either way. */
  gradClip?: number;
  /** true: a progress bar on stdout. */
  progress?: boolean | ProgressBar;
  checkpoint?: { dir: string; every: number; configExtra?: Record<string, unknown>; tokenizer?: ByteLevelTokenizer };
  /** Ends training early (after checkpointing) when it returns true for a step's record: early stopping. */
  stopWhen?: (record: MetricsRecord) => boolean;
}

/**
 * Runs the loop; returns the records of the steps this call ran, one per step. Throws a NonFiniteLossError (leaving
 * the parameters as they were) on a non-finite loss or gradient norm.
 */
export async function trainSft(o: SftOptions): Promise<MetricsRecord[]> {
  const { model, optimizer, rng, steps, startStep = 0 } = o;
  if (!(Number.isInteger(steps) && Number.isInteger(startStep) && 0 <= startStep && startStep <= steps)) {
    throw new Error(`trainSft: need integers 0 <= startStep <= steps, got startStep ${startStep}, steps ${steps}`);
  }
  const schedule = o.schedule ?? constantLr(optimizer.lr);
  const params = model.parameters();
  const bar = o.progress === true ? new ProgressBar(steps - startStep, { label: 'sft' }) : o.progress || null;
  const history: MetricsRecord[] = [];
  const started = Date.now();
  model.train();
  for (let step = startStep; step < steps; step++) {
    // let signal handlers (Ctrl-C) and timers run between steps: a CPU step never waits on anything else
    await yieldToEventLoop();
    if (o.shouldStop?.()) break;
    const t0 = Date.now();
    optimizer.lr = schedule(step);
    const [loss, norm, scale, tokens] = tidy(() => {
      const batch = o.nextBatch(step, rng);
      const l = lmLoss(model, batch, rng);
      l.backward();
      // clipping folds into the update (no gradient rewrite, no readback before it)
      const { norm, scale } = clipStats(params, o.gradClip);
      return [l, norm, scale, batch.tokens] as const;
    });
    const [lossValue, normValue] = await readScalars([loss, norm]);
    loss.dispose();
    norm.dispose();
    if (!Number.isFinite(lossValue) || !Number.isFinite(normValue)) {
      scale?.dispose();
      optimizer.zeroGrad();
      const what = `non-finite ${Number.isFinite(lossValue) ? 'gradient norm' : 'loss'}`;
      const detail = `loss ${lossValue}, grad norm ${normValue}, lr ${optimizer.lr}`;
      throw new NonFiniteLossError('trainSft', step + 1, what, detail);
    }
    optimizer.step(scale ? { gradScale: scale } : {});
    scale?.dispose();
    optimizer.zeroGrad();
    const seconds = (Date.now() - t0) / 1000;
    const record: MetricsRecord = {
      step: step + 1,
      loss: lossValue,
      learning_rate: optimizer.lr,
      grad_norm: normValue,
      num_tokens: tokens,
      tokens_per_second: tokens / Math.max(seconds, 1e-3),
      elapsed_seconds: (Date.now() - started) / 1000,
    };
    if (o.evaluate && ((step + 1) % o.evaluate.every === 0 || step + 1 === steps))
      Object.assign(record, await o.evaluate.run(step + 1));
    history.push(record);
    o.metrics?.log(record);
    o.onStep?.(record);
    const evalText = typeof record.eval_loss === 'number' ? ` eval ${record.eval_loss.toFixed(4)}` : '';
    bar?.update(step + 1 - startStep, `loss ${lossValue.toFixed(4)}${evalText}`);
    const stop = o.stopWhen?.(record) ?? false;
    if (o.checkpoint && ((step + 1) % o.checkpoint.every === 0 || step + 1 === steps || stop)) {
      const { configExtra, tokenizer } = o.checkpoint;
      await saveCheckpoint(o.checkpoint.dir, model, { optimizer, step: step + 1, rng, configExtra, tokenizer });
    }
    if (stop) break;
  }
  bar?.finish();
  return history;
}

export interface ResumedRun {
  model: GPT;
  optimizer: Optimizer;
  rng: Rng;
  step: number;
}

/** Loads a checkpoint saved by trainSft and rebuilds the optimizer (from `makeOptimizer`) with its saved state. */
export async function resumeSft(dir: string, makeOptimizer: (model: GPT) => Optimizer): Promise<ResumedRun> {
  const ck = await loadCheckpoint(dir);
  if (!ck.rng || !ck.optimizerState) {
    ck.model.dispose();
    throw new Error(
      `resumeSft: ${dir} holds no ${ck.rng ? 'optimizer state' : 'rng state'}; it was not saved by a training loop`,
    );
  }
  try {
    const optimizer = makeOptimizer(ck.model);
    optimizer.loadState(ck.optimizerState);
    return { model: ck.model, optimizer, rng: ck.rng, step: ck.step };
  } catch (e) {
    ck.model.dispose();
    throw e;
  } finally {
    for (const t of ck.optimizerState.tensors.values()) t.dispose();
  }
}
