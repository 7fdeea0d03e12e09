// The showcase pipeline, per seed: SFT a tiny GPT on the chosen completions and checkpoint it; measure the
// checkpoint; then, for every method, load that same checkpoint and preference-train it under the same budget and
// data order, measuring held-out figures as it goes. Results come back as plain records for the report.

import { join } from 'node:path';
import { GPT } from '../nn/gpt.js';
import { AdamW } from '../optim/adam.js';
import { cosineWithWarmup } from '../optim/schedule.js';
import { Rng } from '../random.js';
import { padBatch } from '../data/batching.js';
import type { ByteTokenizer } from '../data/tokenizer.js';
import { saveCheckpoint, loadCheckpoint } from '../io/checkpoint-files.js';
import { ReferenceCache } from '../losses/reference.js';
import { trainSft } from '../train/sft.js';
import { trainPreference, trainingOrder } from '../train/preference.js';
import { evaluateHeldOut, type GenerationSample } from '../train/evaluate.js';
import type { MetricsRecord, MetricsSink } from '../train/metrics.js';
import type { ProgressBar } from '../train/progress.js';
import type { CheckpointRecord, CurvePoint, RunRecord, RunResults } from '../report/summary.js';
import type { ShowcaseSettings } from './args.js';
import type { PreparedTask } from './task-setup.js';
import { methodDescription, methodLabel, resolveMethod } from './methods.js';

/** The folder (per seed) of the SFT checkpoint every method starts from; each method saves to its own name. */
export const SFT_CHECKPOINT = 'sft-checkpoint';

/** Shared by every method and seed, stated in the report: clipping keeps the comparison about the losses. */
export const GRAD_CLIP = 1.0;

/**
 * The preference learning rate: a linear warmup over the first tenth of the steps, then constant. Without it, the
 * first steps of a fresh Adam move every weight by about lr at once, a shock that hits all methods alike and
 * blurs what the losses themselves do.
 */
export function preferenceSchedule(lr: number, steps: number): (step: number) => number {
  const warmup = Math.max(1, Math.round(steps / 10));
  return (step) => (step < warmup ? (lr * (step + 1)) / warmup : lr);
}

export interface PipelineHooks {
  metrics: MetricsSink;
  progress: ProgressBar | null;
  shouldStop: () => boolean;
  /** Where finished pieces of results are handed over, so an interrupted run can still write a report. */
  results: RunResults;
}

/** One preference run per seed: a method at a learning rate. Without --sweep-lr, each method once at --lr. */
export interface MethodVariant {
  /** Unique per run of a seed: the method's name, with '@lr=<rate>' in a sweep. */
  name: string;
  method: string;
  lr: number;
}

/** Every (method, rate) pair a seed runs, methods outermost. */
export function methodVariants(s: Pick<ShowcaseSettings, 'methods' | 'lr' | 'sweepLr'>): MethodVariant[] {
  if (s.sweepLr.length === 0) return s.methods.map((method) => ({ name: method, method, lr: s.lr }));
  return s.methods.flatMap((method) => s.sweepLr.map((lr) => ({ name: `${method}@lr=${lr}`, method, lr })));
}

/** Progress units of a whole run: one per SFT step and per preference step. */
export function progressTotal(s: ShowcaseSettings): number {
  return s.seeds.length * (s.sftSteps + methodVariants(s).length * s.steps);
}

export function emptyResults(settings: ShowcaseSettings, task: PreparedTask): RunResults {
  return {
    settings: { ...settings },
    task: task.info,
    methods: methodVariants(settings).map((v) =>
      settings.sweepLr.length === 0
        ? { name: v.name, label: methodLabel(v.method), description: methodDescription(v.method) }
        : {
            name: v.name,
            label: `${methodLabel(v.method)} @ lr ${v.lr}`,
            description: methodDescription(v.method),
            method: v.method,
            lr: v.lr,
          },
    ),
    checkpoints: [],
    runs: [],
    interrupted: false,
    wallSeconds: 0,
  };
}

function tagged(sink: MetricsSink, tags: MetricsRecord): MetricsSink {
  return { log: (record) => sink.log({ ...tags, ...record }) };
}

/** Mean of every numeric training metric over the records given (the last eval interval). */
function meanOfRecords(records: readonly MetricsRecord[]): Record<string, number> {
  const sums = new Map<string, number[]>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v !== 'number' || k === 'step' || k === 'seed' || k === 'learning_rate' || k.startsWith('eval_'))
        continue;
      sums.set(k, [...(sums.get(k) ?? []), v]);
    }
  }
  return Object.fromEntries([...sums].map(([k, vs]) => [k, vs.reduce((a, b) => a + b, 0) / vs.length]));
}

async function sftStage(
  s: ShowcaseSettings,
  task: PreparedTask,
  tokenizer: ByteTokenizer,
  seed: number,
  dir: string,
  hooks: PipelineHooks,
  progressBase: number,
): Promise<{ model: GPT; loss: number; seconds: number; steps: number }> {
  const { nEmbd, nLayer, nHead, blockSize } = s.model;
  const model = new GPT(
    { vocabSize: tokenizer.vocabSize, blockSize, nEmbd, nLayer, nHead, dropout: 0 },
    { seed: 1000 + seed, backend: s.backend },
  );
  const optimizer = new AdamW(model.namedParameters(), { lr: s.sftLr, weightDecay: 0 });
  const sftBatch = 2 * s.batchSize; // as many sequences per step as a preference step (chosen + rejected)
  const order = trainingOrder(task.trainPairs.length, s.sftSteps * sftBatch, 7919 * seed + 1);
  const started = Date.now();
  let loss = NaN;
  let steps = 0;
  try {
    await trainSft({
      model,
      optimizer,
      rng: new Rng(seed),
      steps: s.sftSteps,
      gradClip: GRAD_CLIP,
      schedule: cosineWithWarmup({
        peakLr: s.sftLr,
        warmupSteps: Math.min(20, Math.floor(s.sftSteps / 10)),
        totalSteps: s.sftSteps,
        finalLr: s.sftLr / 10,
      }),
      nextBatch: (step) =>
        padBatch(
          order.slice(step * sftBatch, (step + 1) * sftBatch).map((i) => {
            const p = task.trainPairs[i];
            return { ids: [...p.prompt, ...p.chosen], lossMask: [...p.prompt.map(() => 0), ...p.chosen.map(() => 1)] };
          }),
          { padId: tokenizer.pad, backend: s.backend },
        ),
      metrics: tagged(hooks.metrics, { phase: 'sft', seed }),
      onStep: (record) => {
        loss = record.loss as number;
        steps = record.step as number;
        hooks.progress?.update(progressBase + steps, `seed ${seed} SFT loss ${loss.toFixed(3)}`);
      },
      stopWhen: () => hooks.shouldStop(),
    });
  } finally {
    optimizer.dispose();
  }
  await saveCheckpoint(dir, model, { step: steps, tokenizer });
  return { model, loss, seconds: (Date.now() - started) / 1000, steps };
}

async function methodRun(
  { name, method: methodName, lr }: MethodVariant,
  s: ShowcaseSettings,
  task: PreparedTask,
  tokenizer: ByteTokenizer,
  seed: number,
  ctx: {
    sftDir: string;
    outDir: string;
    checkpoint: CheckpointRecord;
    order: number[];
    reference: { model: GPT; cache: ReferenceCache };
  },
  hooks: PipelineHooks,
  progressBase: number,
): Promise<RunRecord> {
  const method = resolveMethod(methodName);
  const started = Date.now();
  const { model } = await loadCheckpoint(ctx.sftDir, { backend: s.backend });
  const optimizer = new AdamW(model.namedParameters(), { lr, weightDecay: 0 });
  const curve: CurvePoint[] = [{ step: 0, metrics: ctx.checkpoint.metrics }];
  const tail: MetricsRecord[] = [];
  let samples: GenerationSample[] = ctx.checkpoint.samples;
  try {
    const history = await trainPreference({
      model,
      optimizer,
      method,
      pairs: task.trainPairs,
      order: ctx.order,
      batchSize: s.batchSize,
      steps: s.steps,
      padId: tokenizer.pad,
      gradClip: GRAD_CLIP,
      schedule: preferenceSchedule(lr, s.steps),
      reference: method.needsReference ? ctx.reference : undefined,
      metrics: hooks.metrics,
      tags: { method: name, seed },
      evaluate: {
        every: s.evalEvery,
        run: async (step) => {
          const r = await evaluateHeldOut(model, task.heldOut, tokenizer);
          curve.push({ step, metrics: r.metrics });
          samples = r.samples;
          return r.metrics;
        },
      },
      onStep: (record) => {
        const step = record.step as number;
        if (step > s.steps - s.evalEvery) tail.push(record);
        hooks.progress?.update(progressBase + step, `seed ${seed} ${name} loss ${(record.loss as number).toFixed(3)}`);
      },
      shouldStop: hooks.shouldStop,
    });
    const done = history.length;
    const complete = done === s.steps;
    if (complete)
      await saveCheckpoint(join(ctx.outDir, 'checkpoints', `seed${seed}`, name), model, { step: done, tokenizer });
    return {
      method: name,
      seed,
      steps: done,
      complete,
      curve,
      train: meanOfRecords(tail),
      samples,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** Runs every seed and method, appending finished pieces to hooks.results as it goes. */
export async function runPipeline(
  s: ShowcaseSettings,
  task: PreparedTask,
  tokenizer: ByteTokenizer,
  outDir: string,
  hooks: PipelineHooks,
): Promise<void> {
  let progress = 0;
  for (const seed of s.seeds) {
    if (hooks.shouldStop()) return;
    // not `sft`: that is where the continued-SFT control saves its own result, and every method must start here
    const sftDir = join(outDir, 'checkpoints', `seed${seed}`, SFT_CHECKPOINT);
    const sft = await sftStage(s, task, tokenizer, seed, sftDir, hooks, progress);
    progress += s.sftSteps;
    try {
      if (hooks.shouldStop()) return;
      const measured = await evaluateHeldOut(sft.model, task.heldOut, tokenizer);
      hooks.metrics.log({ phase: 'eval', method: 'checkpoint', seed, step: 0, ...measured.metrics });
      const checkpoint: CheckpointRecord = {
        seed,
        sftSteps: sft.steps,
        sftSeconds: sft.seconds,
        sftLoss: sft.loss,
        metrics: measured.metrics,
        samples: measured.samples,
      };
      hooks.results.checkpoints.push(checkpoint);
      // the SFT model itself is the frozen reference; each method trains its own copy loaded from disk
      sft.model.eval();
      const reference = { model: sft.model, cache: new ReferenceCache() };
      const order = trainingOrder(task.trainPairs.length, s.steps * s.batchSize, 7919 * seed + 2);
      for (const variant of methodVariants(s)) {
        if (hooks.shouldStop()) return;
        const run = await methodRun(
          variant,
          s,
          task,
          tokenizer,
          seed,
          { sftDir, outDir, checkpoint, order, reference },
          hooks,
          progress,
        );
        hooks.results.runs.push(run);
        progress += s.steps;
      }
    } finally {
      sft.model.dispose();
    }
  }
}
