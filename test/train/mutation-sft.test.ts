// trainSft, evaluateLoss, lmLoss and resumeSft pinned piece by piece (issue 12, mutation testing), on a tiny
// float64 model: argument checks and messages, token weighting, the record's every field (time mocked so the
// throughput is exact), the hooks' schedule (evaluate, checkpoint, stopWhen, shouldStop, progress), the
// non-finite gradient-norm path, and resumeSft's refusals (the checkpoint files are mocked: only the calls matter).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rng, memory, noGrad, tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW, SGD } from '../../src/optim/index.js';
import { padBatch, type Example, type LmBatch } from '../../src/data/batching.js';
import { ByteTokenizer } from '../../src/data/tokenizer.js';
import * as files from '../../src/io/checkpoint-files.js';
import type { LoadedCheckpoint } from '../../src/io/checkpoint.js';
import { evaluateLoss, lmLoss, resumeSft, trainSft, type SftOptions } from '../../src/train/sft.js';
import { MemoryMetrics, type MetricsRecord } from '../../src/train/metrics.js';
import { NonFiniteLossError } from '../../src/train/loop.js';
import { ProgressBar } from '../../src/train/progress.js';
import { tokenLogps } from '../../src/losses/index.js';

vi.mock('../../src/io/checkpoint-files.js', async (importOriginal) => {
  const original = await importOriginal<typeof files>();
  return { ...original, saveCheckpoint: vi.fn(async () => {}), loadCheckpoint: vi.fn(original.loadCheckpoint) };
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(files.saveCheckpoint).mockClear();
});

const cfg: GPTConfig = { vocabSize: 9, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const PAD = 8;
const examples: Example[] = [
  { ids: [0, 1, 2, 3, 4], lossMask: [0, 0, 0, 1, 1] },
  { ids: [0, 5, 6], lossMask: [0, 0, 1] },
  { ids: [0, 7, 1, 1, 2, 3], lossMask: [0, 0, 1, 1, 1, 1] },
];
const batchOf = (es: Example[]): LmBatch => padBatch(es, { padId: PAD });
const make = (dropout = 0) => new GPT({ ...cfg, dropout }, { seed: 2, dtype: 'float64' });

function logSoftmaxAt(row: ArrayLike<number>, target: number): number {
  const xs = Array.from(row);
  const max = Math.max(...xs);
  return xs[target] - max - Math.log(xs.reduce((s, x) => s + Math.exp(x - max), 0));
}

/** Summed NLL of the counted targets of some examples, one unpadded forward each, and how many were counted. */
function nll(model: GPT, es: Example[]): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const e of es) {
    const n = e.ids.length - 1;
    const logits = noGrad(() => model.forward(tensor(e.ids.slice(0, n), { shape: [1, n], dtype: 'int32' }))).dataSync();
    for (let t = 0; t < n; t++) {
      if (!e.lossMask![t + 1]) continue;
      sum -= logSoftmaxAt(logits.slice(t * cfg.vocabSize, (t + 1) * cfg.vocabSize), e.ids[t + 1]);
      count++;
    }
  }
  return { sum, count };
}

/** The gradients of the mean completion NLL of all examples (summed per row by hand) and their global norm. */
function manualGradients(model: GPT): { grads: number[][]; norm: number } {
  let total: Tensor | null = null;
  for (const e of examples) {
    const n = e.ids.length - 1;
    const logps = tokenLogps(
      model.forward(tensor(e.ids.slice(0, n), { shape: [1, n], dtype: 'int32' })),
      tensor(e.ids.slice(1), { shape: [1, n], dtype: 'int32' }),
    );
    const term = logps.mul(tensor(e.lossMask!.slice(1), { shape: [1, n], dtype: 'float64' })).sum();
    total = total ? total.add(term) : term;
  }
  total!.div(-7).backward();
  const grads = model.parameters().map((p) => Array.from(p.grad!.dataSync()));
  return { grads, norm: Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0)) };
}

function options(model: GPT, extra: Partial<SftOptions> = {}): SftOptions {
  return {
    model,
    optimizer: new SGD(model.parameters(), { lr: 0.05 }),
    rng: new Rng(1),
    nextBatch: () => batchOf(examples),
    steps: 3,
    ...extra,
  };
}

describe('lmLoss and evaluateLoss', () => {
  it('lmLoss refuses a batch without counted targets (zero or NaN tokens)', () => {
    const model = make();
    for (const tokens of [0, Number.NaN]) {
      expect(() => lmLoss(model, { ...batchOf(examples), tokens })).toThrow(
        'lmLoss: the batch has no target tokens in its loss mask (inputs [3,5])',
      );
    }
  });

  it('evaluateLoss weighs every token the same, in eval mode, and restores the mode it found', async () => {
    const model = make(0.5);
    const small = [examples[1]]; // 1 counted token
    const large = [examples[0], examples[2]]; // 6 counted tokens
    model.eval();
    const a = nll(model, small);
    const b = nll(model, large);
    const want = (a.sum + b.sum) / (a.count + b.count);
    // the mean of the two batch means would differ
    expect(Math.abs(want - (a.sum / a.count + b.sum / b.count) / 2)).toBeGreaterThan(1e-3);
    const live = memory().tensors;
    const batches = [batchOf(small), batchOf(large)];
    expect(await evaluateLoss(model, batches)).toBeCloseTo(want, 12);
    expect(model.training).toBe(false);
    model.train();
    expect(await evaluateLoss(model, batches)).toBeCloseTo(want, 12); // dropout 0.5 would show if left on
    expect(model.training).toBe(true);
    for (const batch of batches)
      for (const t of [batch.inputs, batch.targets, batch.attentionMask, batch.lossMask]) t.dispose();
    expect(memory().tensors).toBe(live);
  });
});

describe('trainSft', () => {
  it('checks steps and startStep, and runs nothing when startStep = steps', async () => {
    for (const [steps, startStep] of [
      [2.5, 0],
      [2, -1],
      [2, 3],
      [2, 0.5],
    ]) {
      await expect(trainSft(options(make(), { steps, startStep }))).rejects.toThrow(
        `trainSft: need integers 0 <= startStep <= steps, got startStep ${startStep}, steps ${steps}`,
      );
    }
    const nextBatch = vi.fn(() => batchOf(examples));
    expect(await trainSft(options(make(), { steps: 2, startStep: 2, nextBatch }))).toEqual([]);
    expect(await trainSft(options(make(), { steps: 0, nextBatch }))).toEqual([]);
    expect(nextBatch).not.toHaveBeenCalled();
  });

  it('records every field: step, loss, lr, gradient norm, tokens, throughput and elapsed time', async () => {
    const model = make();
    const first = nll(make(), examples);
    const { norm } = manualGradients(make());

    // every Date.now() call moves the clock 500 ms: start, then per step t0, its end and the elapsed time
    let calls = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => 500 * ++calls);
    const metrics = new MemoryMetrics();
    const seen: MetricsRecord[] = [];
    const log = await trainSft(options(model, { metrics, onStep: (r) => seen.push(r) }));
    vi.restoreAllMocks();
    expect(log.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(log[0].loss).toBeCloseTo(first.sum / first.count, 12);
    expect(log[0].grad_norm).toBeCloseTo(norm, 12);
    expect(log.map((r) => r.learning_rate)).toEqual([0.05, 0.05, 0.05]);
    expect(log.map((r) => r.num_tokens)).toEqual([7, 7, 7]);
    expect(log.map((r) => r.tokens_per_second)).toEqual([14, 14, 14]);
    expect(log.map((r) => r.elapsed_seconds)).toEqual([1.5, 3, 4.5]);
    expect(metrics.records).toEqual(log);
    expect(seen).toEqual(log);
    // the loss falls: the records are of successive steps, not of one repeated
    expect(log[2].loss as number).toBeLessThan(log[0].loss as number);

    // a step no clock can time counts 1 ms
    vi.spyOn(Date, 'now').mockReturnValue(1000);
    const [instant] = await trainSft(options(make(), { steps: 1 }));
    expect(instant.tokens_per_second).toBe(7000);
    expect(instant.elapsed_seconds).toBe(0);
  });

  it('resumed at startStep: the schedule, the batches and the progress count go by the 0-based step', async () => {
    const steps: number[] = [];
    const bar = new ProgressBar(2, { stream: { write: () => undefined } });
    const update = vi.spyOn(bar, 'update');
    const finish = vi.spyOn(bar, 'finish');
    const log = await trainSft(
      options(make(), {
        startStep: 1,
        schedule: (s) => 0.01 * (s + 1),
        nextBatch: (step) => {
          steps.push(step);
          return batchOf(examples);
        },
        progress: bar,
      }),
    );
    expect(steps).toEqual([1, 2]);
    expect(log.map((r) => r.step)).toEqual([2, 3]);
    expect(log.map((r) => r.learning_rate)).toEqual([0.02, 0.03]);
    expect(update.mock.calls).toEqual(log.map((r, i) => [i + 1, `loss ${(r.loss as number).toFixed(4)}`]));
    expect(finish).toHaveBeenCalledTimes(1);
  });

  it('clips by scaling the step with min(1, clip / (norm + 1e-6)), in training mode whatever the mode before', async () => {
    const { grads, norm } = manualGradients(make());
    for (const clip of [0.01, 1e6]) {
      const model = make(0.5);
      model.eval();
      const before = model.parameters().map((p) => Array.from(p.dataSync()));
      // dropout 0.5 is on in training mode, so only the first record's loss can be compared with the eval-mode one
      const [record] = await trainSft(options(model, { steps: 1, gradClip: clip }));
      expect(model.training).toBe(true);
      expect(record.grad_norm).not.toBeCloseTo(norm, 6);
      const trained = make();
      const noDrop = await trainSft(options(trained, { steps: 1, gradClip: clip }));
      expect(noDrop[0].grad_norm).toBeCloseTo(norm, 12);
      const scale = Math.min(1, clip / (norm + 1e-6));
      expect(scale < 1).toBe(clip < 1);
      const after = trained.parameters().map((p) => Array.from(p.dataSync()));
      const worst = Math.max(
        ...after.flatMap((row, i) => row.map((x, j) => Math.abs(x - (before[i][j] - 0.05 * scale * grads[i][j])))),
      );
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('lets pending events run before each step, so a stop requested just before the run ends it at once', async () => {
    let stop = false;
    setImmediate(() => {
      stop = true;
    });
    expect(await trainSft(options(make(), { shouldStop: () => stop }))).toEqual([]);
  });

  it('evaluates every `every` steps and after the last, and shows the eval loss on the bar', async () => {
    const bar = new ProgressBar(5, { stream: { write: () => undefined } });
    const update = vi.spyOn(bar, 'update');
    const run = vi.fn((step: number) => ({ eval_loss: step / 8 }));
    const log = await trainSft(options(make(), { steps: 5, evaluate: { every: 2, run }, progress: bar }));
    expect(run.mock.calls).toEqual([[2], [4], [5]]);
    expect(log.map((r) => r.eval_loss)).toEqual([undefined, 0.25, undefined, 0.5, 0.625]);
    expect(update.mock.calls[1][1]).toBe(`loss ${(log[1].loss as number).toFixed(4)} eval 0.2500`);
    expect(update.mock.calls[2][1]).toBe(`loss ${(log[2].loss as number).toFixed(4)}`);
  });

  it('progress: true draws an "sft" bar of steps - startStep on stdout; false draws none', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    try {
      await trainSft(options(make(), { startStep: 1, progress: true }));
      await trainSft(options(make(), { steps: 1, progress: false }));
    } finally {
      vi.restoreAllMocks();
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((l) => /^sft [12]\/2 /.test(l))).toBe(true);
    expect(written.some((l) => l.startsWith('sft 2/2 '))).toBe(true);
  });

  it('checkpoints every `every` steps, after the last and where stopWhen stops the run', async () => {
    const save = vi.mocked(files.saveCheckpoint);
    const tokenizer = new ByteTokenizer();
    const configExtra = { note: 1 };
    const model = make();
    const o = options(model, { steps: 7, checkpoint: { dir: 'ck', every: 3, configExtra, tokenizer } });
    await trainSft(o);
    expect(save.mock.calls.map((c) => c[2]!.step)).toEqual([3, 6, 7]);
    const [dir, saved, opts] = save.mock.calls[0];
    expect([dir, saved, opts]).toEqual([
      'ck',
      model,
      { optimizer: o.optimizer, step: 3, rng: o.rng, configExtra, tokenizer },
    ]);
    expect(opts!.tokenizer).toBe(tokenizer);
    save.mockClear();
    const stopWhen = vi.fn((r: MetricsRecord) => r.step === 3);
    const log = await trainSft(options(make(), { steps: 5, stopWhen, checkpoint: { dir: 'ck', every: 2 } }));
    expect(log.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(save.mock.calls.map((c) => c[2]!.step)).toEqual([2, 3]);
    expect(stopWhen).toHaveBeenCalledTimes(3);
    // stopWhen without checkpoints stops as well
    expect(await trainSft(options(make(), { steps: 5, stopWhen }))).toHaveLength(3);
  });

  it('shouldStop is asked before each step and ends the run, still finishing the bar', async () => {
    const bar = new ProgressBar(3, { stream: { write: () => undefined } });
    const finish = vi.spyOn(bar, 'finish');
    let asked = 0;
    const log = await trainSft(options(make(), { shouldStop: () => ++asked > 2, progress: bar }));
    expect(log).toHaveLength(2);
    expect(asked).toBe(3);
    expect(finish).toHaveBeenCalledTimes(1);
  });

  it('a non-finite gradient norm with a finite loss stops the run: named, grads cleared, nothing leaked', async () => {
    const model = make();
    // a tensor with a NaN gradient among the parameters the loop clips over (the optimizer does not see it)
    const extra = tensor([1], { dtype: 'float64', requiresGrad: true });
    extra.mul(Number.NaN).sum().backward();
    const params = model.parameters();
    model.parameters = () => [...params, extra];
    const before = params.map((p) => Array.from(p.dataSync()));
    const live = memory().tensors;
    const o = options(model, { gradClip: 0.5 });
    const error = await trainSft(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(
      /^trainSft: non-finite gradient norm at step 1 \(loss \d+\.\d+, grad norm NaN, lr 0\.05\); the parameters/,
    );
    expect(params.map((p) => Array.from(p.dataSync()))).toEqual(before);
    expect(params.every((p) => p.grad === null)).toBe(true);
    expect(memory().tensors).toBe(live);
  });

  it('a non-finite loss at a later step names that step; with clipping no step leaks a tensor', async () => {
    const model = make();
    const live: number[] = [];
    const o = options(model, {
      gradClip: 1e-3,
      nextBatch: (step) => {
        if (step === 1)
          noGrad(() => model.lnF.weight.assign(tensor(new Array(8).fill(Number.NaN), { dtype: 'float64' })));
        return batchOf(examples);
      },
      onStep: () => live.push(memory().tensors),
    });
    await expect(trainSft(o)).rejects.toThrow(/^trainSft: non-finite loss at step 2 \(loss NaN, grad norm NaN, lr/);
    const ok = await trainSft(options(make(), { gradClip: 1e-3, steps: 4, onStep: () => live.push(memory().tensors) }));
    expect(ok).toHaveLength(4);
    expect(new Set(live.slice(2)).size).toBe(1);
  });
});

describe('resumeSft', () => {
  const loaded = (over: Partial<LoadedCheckpoint>): LoadedCheckpoint => {
    const model = make();
    const trained = new AdamW(model.namedParameters(), { lr: 0.1 });
    for (const p of model.parameters()) p.sum().backward();
    trained.step();
    trained.zeroGrad();
    return { model, config: cfg, step: 7, rng: new Rng(3), optimizerState: trained.state(), ...over };
  };
  const load = vi.mocked(files.loadCheckpoint);

  it('refuses a checkpoint without rng or optimizer state, disposing the model it loaded', async () => {
    for (const [over, what] of [
      [{ rng: null }, 'rng state'],
      [{ rng: null, optimizerState: null }, 'rng state'],
      [{ optimizerState: null }, 'optimizer state'],
    ] as const) {
      const ck = loaded(over);
      load.mockResolvedValueOnce(ck);
      await expect(resumeSft('some/dir', (m) => new AdamW(m.namedParameters(), { lr: 0.1 }))).rejects.toThrow(
        `resumeSft: some/dir holds no ${what}; it was not saved by a training loop`,
      );
      expect(ck.model.parameters()[0].isDisposed).toBe(true);
    }
  });

  it('rebuilds the optimizer from the state and frees the state tensors; a bad state frees the model too', async () => {
    const ck = loaded({});
    load.mockResolvedValueOnce(ck);
    const run = await resumeSft('d', (m) => new AdamW(m.namedParameters(), { lr: 0.5 }));
    expect(run.model).toBe(ck.model);
    expect(run.rng).toBe(ck.rng);
    expect(run.step).toBe(7);
    expect(run.optimizer.stepCount).toBe(1);
    expect(run.model.parameters()[0].isDisposed).toBe(false);
    expect([...ck.optimizerState!.tensors.values()].every((t) => t.isDisposed)).toBe(true);

    const bad = loaded({});
    load.mockResolvedValueOnce(bad);
    await expect(resumeSft('d', (m) => new SGD(m.parameters(), { lr: 0.1 }))).rejects.toThrow('SGD.loadState');
    expect(bad.model.parameters()[0].isDisposed).toBe(true);
    expect([...bad.optimizerState!.tensors.values()].every((t) => t.isDisposed)).toBe(true);
  });
});
