// Live training in the worker: the showcase's recipe for one seed (SFT a tiny GPT on the addition task, then
// preference-train a copy of that checkpoint per method, measuring held-out figures as it goes), with the same
// task, model, schedules and clipping as `npm start` (src/cli/pipeline.ts), so a lab run with seed k matches that
// seed of a showcase run with the same settings. It can pause between steps and carry on from there.

import { initWebGPU, type Tensor } from '../../src/index.js';
import { GPT } from '../../src/nn/gpt.js';
import { AdamW } from '../../src/optim/adam.js';
import { cosineWithWarmup } from '../../src/optim/schedule.js';
import { Rng } from '../../src/random.js';
import { padBatch } from '../../src/data/batching.js';
import { ByteTokenizer } from '../../src/data/tokenizer.js';
import { encodePreferencePairs } from '../../src/data/preference-pairs.js';
import { generateAdditionTask, scoreAdditionGeneration } from '../../src/data/preference-task.js';
import { modelFiles, modelFromFiles } from '../../src/io/checkpoint.js';
import { ReferenceCache } from '../../src/losses/reference.js';
import { trainSft } from '../../src/train/sft.js';
import { trainPreference, trainingOrder } from '../../src/train/preference.js';
import { evaluateHeldOut, type HeldOutResult } from '../../src/train/evaluate.js';
import {
  summarize,
  type CheckpointRecord,
  type CurvePoint,
  type RunRecord,
  type RunResults,
} from '../../src/report/summary.js';
import { observe } from '../../src/report/observations.js';
import { MODEL_PRESETS, type ShowcaseSettings } from '../../src/cli/args.js';
import { GRAD_CLIP, preferenceSchedule } from '../../src/cli/pipeline.js';
import { ADDITION_DIGITS, TASK_SEED, heldOutSet } from '../../src/cli/task-setup.js';
import { methodDescription, methodLabel, resolveMethod } from '../../src/cli/methods.js';
import type { FromWorker, LiveSettings } from './protocol.js';

/** Sized so SFT and one method finish well within a minute and a half on a 2-core CPU; the page sets the steps. */
export const LIVE_DEFAULTS = {
  batchSize: 16,
  sftLr: 3e-3,
  evalEvery: 4,
  evalPairs: 32,
  evalGenerations: 16,
  trainSize: 512,
  model: 'tiny',
} as const;

/** SFT steps between two looks at the message queue. */
const SFT_SEGMENT = 4;

/** The full showcase settings a lab run corresponds to (stored in its summary, and the command to reproduce it). */
export function showcaseSettings(s: LiveSettings, backend: 'cpu' | 'webgpu'): ShowcaseSettings {
  return {
    methods: s.methods,
    seeds: [s.seed],
    sftSteps: s.sftSteps,
    steps: s.steps,
    batchSize: LIVE_DEFAULTS.batchSize,
    lr: s.lr,
    sweepLr: [],
    sftLr: LIVE_DEFAULTS.sftLr,
    evalEvery: LIVE_DEFAULTS.evalEvery,
    evalPairs: LIVE_DEFAULTS.evalPairs,
    evalGenerations: LIVE_DEFAULTS.evalGenerations,
    trainSize: LIVE_DEFAULTS.trainSize,
    modelName: LIVE_DEFAULTS.model,
    model: MODEL_PRESETS[LIVE_DEFAULTS.model],
    backend,
    data: null,
    chatTemplate: null,
    evalOnly: null,
    out: 'lab',
    quick: false,
    progress: false,
  };
}

/** Resolves once `paused` is false again; checked between steps. */
export class PauseGate {
  paused = false;
  private waiters: (() => void)[] = [];
  set(paused: boolean): void {
    this.paused = paused;
    if (!paused) for (const w of this.waiters.splice(0)) w();
  }
  wait(): Promise<void> {
    return this.paused ? new Promise((r) => this.waiters.push(r)) : Promise.resolve();
  }
}

async function pickBackend(want: LiveSettings['backend']): Promise<{ backend: 'cpu' | 'webgpu'; detail: string }> {
  if (want === 'cpu') return { backend: 'cpu', detail: 'CPU (chosen)' };
  if (!('gpu' in navigator)) return { backend: 'cpu', detail: 'CPU (this browser has no WebGPU)' };
  try {
    const gpu = await initWebGPU();
    return { backend: 'webgpu', detail: `WebGPU (${gpu.adapterName})` };
  } catch (e) {
    // the full reason (often long) goes to the console; the page shows the short form
    console.warn((e as Error).message);
    return { backend: 'cpu', detail: 'CPU (the browser offers no WebGPU adapter)' };
  }
}

export interface LiveRun {
  /** The trained models by method (and 'sft' for the checkpoint), for downloads. */
  models: Map<string, GPT>;
}

/** Runs SFT and every chosen method, reporting through `post`; waits at `gate` between steps while paused. */
export async function runLive(
  s: LiveSettings,
  post: (m: FromWorker) => void,
  gate: PauseGate,
  run: LiveRun,
): Promise<void> {
  const started = Date.now();
  const { backend, detail } = await pickBackend(s.backend);
  post({ type: 'backend', backend, detail });
  const settings = showcaseSettings(s, backend);
  const tokenizer = new ByteTokenizer();
  const task = generateAdditionTask({
    seed: TASK_SEED,
    digits: ADDITION_DIGITS,
    trainSize: settings.trainSize,
    heldOutSize: Math.max(settings.evalPairs, settings.evalGenerations),
  });
  const trainPairs = encodePreferencePairs(task.train, tokenizer, settings.model.blockSize, {
    file: 'synthetic task (train)',
  });
  const heldOutPairs = encodePreferencePairs(task.heldOut, tokenizer, settings.model.blockSize, {
    file: 'synthetic task (held-out)',
  });
  const heldOut = heldOutSet(
    task.heldOut,
    heldOutPairs,
    settings,
    (i) => (text, stopped) => scoreAdditionGeneration(task.heldOut[i].answer, text, stopped),
  );
  const results: RunResults = {
    settings: { ...settings },
    methods: s.methods.map((name) => ({ name, label: methodLabel(name), description: methodDescription(name) })),
    task: {
      kind: 'addition',
      description: `synthetic carry-free addition of ${ADDITION_DIGITS}-digit numbers (trained live in the lab)`,
      trainPairs: trainPairs.length,
      heldOutPairs: heldOut.pairs.length,
      generationPrompts: heldOut.prompts.length,
    },
    checkpoints: [],
    runs: [],
    interrupted: false,
    wallSeconds: 0,
  };
  const seed = s.seed;
  // SFT, exactly as the showcase's sftStage does it, in segments so that a pause can end one and a resume start the next
  post({ type: 'phase', phase: 'sft', label: 'SFT' });
  const { nEmbd, nLayer, nHead, blockSize } = settings.model;
  const sft = new GPT(
    { vocabSize: tokenizer.vocabSize, blockSize, nEmbd, nLayer, nHead, dropout: 0 },
    { seed: 1000 + seed, backend },
  );
  run.models.set('sft', sft);
  const sftOptimizer = new AdamW(sft.namedParameters(), { lr: settings.sftLr, weightDecay: 0 });
  const sftBatch = 2 * settings.batchSize;
  const sftOrder = trainingOrder(trainPairs.length, settings.sftSteps * sftBatch, 7919 * seed + 1);
  const rng = new Rng(seed);
  const sftStarted = Date.now();
  let sftDone = 0;
  let sftLoss = NaN;
  while (sftDone < settings.sftSteps) {
    await gate.wait();
    await trainSft({
      // a few steps per call: trainSft never yields to the event loop on the CPU, and pause messages must get in
      model: sft,
      optimizer: sftOptimizer,
      rng,
      steps: Math.min(settings.sftSteps, sftDone + SFT_SEGMENT),
      startStep: sftDone,
      gradClip: GRAD_CLIP,
      schedule: cosineWithWarmup({
        peakLr: settings.sftLr,
        warmupSteps: Math.min(20, Math.floor(settings.sftSteps / 10)),
        totalSteps: settings.sftSteps,
        finalLr: settings.sftLr / 10,
      }),
      nextBatch: (step) =>
        padBatch(
          sftOrder.slice(step * sftBatch, (step + 1) * sftBatch).map((i) => {
            const p = trainPairs[i];
            return { ids: [...p.prompt, ...p.chosen], lossMask: [...p.prompt.map(() => 0), ...p.chosen.map(() => 1)] };
          }),
          { padId: tokenizer.pad, backend },
        ),
      onStep: (record) => {
        sftDone = record.step as number;
        sftLoss = record.loss as number;
        post({ type: 'sft', step: sftDone, total: settings.sftSteps, loss: sftLoss });
      },
      shouldStop: () => gate.paused,
    });
    await yieldToEvents();
  }
  sftOptimizer.dispose();
  const measured = await evaluateHeldOut(sft, heldOut, tokenizer);
  const checkpoint: CheckpointRecord = {
    seed,
    sftSteps: sftDone,
    sftSeconds: (Date.now() - sftStarted) / 1000,
    sftLoss,
    metrics: measured.metrics,
    samples: measured.samples,
  };
  results.checkpoints.push(checkpoint);
  post({
    type: 'eval',
    method: 'sft-checkpoint',
    label: 'SFT checkpoint',
    step: 0,
    metrics: measured.metrics,
    samples: measured.samples,
  });
  sft.eval();
  const reference = { model: sft, cache: new ReferenceCache() };
  const order = trainingOrder(trainPairs.length, settings.steps * settings.batchSize, 7919 * seed + 2);
  const files = await modelFiles(sft);
  for (const name of s.methods) {
    post({ type: 'phase', phase: name, label: methodLabel(name) });
    results.runs.push(
      await methodRun(
        name,
        settings,
        { files, backend, checkpoint, order, reference, trainPairs, heldOut, tokenizer },
        post,
        gate,
        run,
      ),
    );
  }
  results.wallSeconds = (Date.now() - started) / 1000;
  const summary = summarize(results);
  summary.observations = observe(summary);
  post({ type: 'done', summary, seconds: results.wallSeconds });
}

interface MethodContext {
  files: { weights: Uint8Array; config: string };
  backend: 'cpu' | 'webgpu';
  checkpoint: CheckpointRecord;
  order: number[];
  reference: { model: GPT; cache: ReferenceCache };
  trainPairs: ReturnType<typeof encodePreferencePairs>;
  heldOut: ReturnType<typeof heldOutSet>;
  tokenizer: ByteTokenizer;
}

/** One method from the SFT checkpoint, as the showcase's methodRun does, in pausable segments. */
async function methodRun(
  name: string,
  s: ShowcaseSettings,
  c: MethodContext,
  post: (m: FromWorker) => void,
  gate: PauseGate,
  run: LiveRun,
): Promise<RunRecord> {
  const started = Date.now();
  const method = resolveMethod(name);
  const model = modelFromFiles(c.files.config, c.files.weights, {
    configFile: 'sft config.json',
    weightsFile: 'sft model.safetensors',
    backend: c.backend,
  });
  run.models.get(name)?.dispose();
  run.models.set(name, model);
  const optimizer = new AdamW(model.namedParameters(), { lr: s.lr, weightDecay: 0 });
  const curve: CurvePoint[] = [{ step: 0, metrics: c.checkpoint.metrics }];
  const tail: Record<string, number>[] = [];
  let samples = c.checkpoint.samples;
  const schedule = preferenceSchedule(s.lr, s.steps);
  let done = 0;
  try {
    while (done < s.steps) {
      await gate.wait();
      const offset = done;
      // a segment continues the same order and schedule where the last one stopped
      done += (
        await trainPreference({
          model,
          optimizer,
          method,
          pairs: c.trainPairs,
          order: c.order.slice(offset * s.batchSize),
          batchSize: s.batchSize,
          steps: s.steps - offset,
          padId: c.tokenizer.pad,
          gradClip: GRAD_CLIP,
          schedule: (step) => schedule(step + offset),
          reference: method.needsReference ? c.reference : undefined,
          evaluate: {
            // every step, filtered here: the loop counts steps from the segment's start, evaluations from step 0
            every: 1,
            run: async (step) => {
              const absolute = step + offset;
              if (absolute % s.evalEvery !== 0 && absolute !== s.steps) return {};
              const r: HeldOutResult = await evaluateHeldOut(model, c.heldOut, c.tokenizer);
              curve.push({ step: absolute, metrics: r.metrics });
              samples = r.samples;
              post({
                type: 'eval',
                method: name,
                label: methodLabel(name),
                step: absolute,
                metrics: r.metrics,
                samples: r.samples,
              });
              return r.metrics;
            },
          },
          onStep: (record) => {
            const absolute = (record.step as number) + offset;
            if (absolute > s.steps - s.evalEvery) tail.push(numbersOf(record));
            post({ type: 'step', method: name, step: absolute, total: s.steps, loss: record.loss as number });
          },
          shouldStop: () => gate.paused,
        })
      ).length;
    }
  } finally {
    optimizer.dispose();
  }
  return {
    method: name,
    seed: c.checkpoint.seed,
    steps: done,
    complete: true,
    curve,
    train: meanOf(tail),
    samples,
    seconds: (Date.now() - started) / 1000,
  };
}

function numbersOf(record: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record).filter(
      ([k, v]) =>
        typeof v === 'number' && k !== 'step' && k !== 'seed' && k !== 'learning_rate' && !k.startsWith('eval_'),
    ),
  ) as Record<string, number>;
}

function meanOf(records: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    keys.map((k) => {
      const vs = records.map((r) => r[k]).filter((v) => v !== undefined);
      return [k, vs.reduce((a, b) => a + b, 0) / vs.length];
    }),
  );
}

/** Lets queued messages (pause, resume, a download request) in between training segments. */
export function yieldToEvents(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

export type { Tensor };
