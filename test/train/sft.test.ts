import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, memory, noGrad, tensor } from '../../src/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW, cosineWithWarmup } from '../../src/optim/index.js';
import { sampleWindows } from '../../src/data/index.js';
import { evaluateLoss, resumeSft, trainSft } from '../../src/train/sft.js';
import { JsonlMetricsLogger, MemoryMetrics } from '../../src/train/metrics.js';
import { ProgressBar } from '../../src/train/progress.js';

const cfg: GPTConfig = { vocabSize: 7, blockSize: 6, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0.1 };
// a stream with an obvious rule (each token is the previous + 1 mod 7, with some resets) a model can learn
const stream = Array.from({ length: 400 }, (_, i) => (i % 13 === 0 ? 0 : (i % 13) % 7));
const nextBatch = (_step: number, rng: Rng) => sampleWindows(stream, 4, cfg.blockSize, rng);
const makeOptimizer = (m: GPT) => new AdamW(m.namedParameters(), { lr: 1e-2, weightDecay: 0.1 });
const schedule = cosineWithWarmup({ peakLr: 1e-2, warmupSteps: 2, totalSteps: 8 });
const bits = (m: GPT) => m.parameters().map((p) => Array.from(new Uint32Array(p.dataSync().slice().buffer)));

describe('trainSft', () => {
  it('resuming from a checkpoint continues bit-identically to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-sft-'));
    try {
      const straight = new GPT(cfg, { seed: 1 });
      const straightLog = await trainSft({
        model: straight,
        optimizer: makeOptimizer(straight),
        rng: new Rng(9),
        nextBatch,
        steps: 8,
        schedule,
        gradClip: 0.5,
      });

      const first = new GPT(cfg, { seed: 1 });
      await trainSft({
        model: first,
        optimizer: makeOptimizer(first),
        rng: new Rng(9),
        nextBatch,
        steps: 4,
        schedule,
        gradClip: 0.5,
        checkpoint: { dir, every: 4 },
      });
      first.dispose();
      const resumed = await resumeSft(dir, makeOptimizer);
      expect(resumed.step).toBe(4);
      const mem = new MemoryMetrics();
      const secondLog = await trainSft({
        ...resumed,
        nextBatch,
        steps: 8,
        startStep: resumed.step,
        schedule,
        gradClip: 0.5,
        metrics: mem,
      });
      expect(mem.records.map((r) => r.step)).toEqual([5, 6, 7, 8]);

      expect(bits(resumed.model)).toEqual(bits(straight));
      expect(secondLog.map((r) => r.loss)).toEqual(straightLog.slice(4).map((r) => r.loss));
      // the run did change the parameters (so the comparison is not between two untouched models)
      expect(bits(straight)).not.toEqual(bits(new GPT(cfg, { seed: 1 })));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('learns, logs TRL-named metrics to JSONL and keeps memory flat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-sft-'));
    try {
      const model = new GPT({ ...cfg, dropout: 0 }, { seed: 2 });
      const logger = await JsonlMetricsLogger.open(join(dir, 'metrics.jsonl'));
      const val = [sampleWindows(stream, 8, cfg.blockSize, new Rng(123))];
      const before = await evaluateLoss(model, val);
      let liveAfterFirst = 0;
      const log = await trainSft({
        model,
        optimizer: makeOptimizer(model),
        rng: new Rng(3),
        nextBatch,
        steps: 40,
        metrics: logger,
        evaluate: { every: 20, run: async () => ({ eval_loss: await evaluateLoss(model, val) }) },
        onStep: (r) => {
          if (r.step === 1) liveAfterFirst = memory().tensors;
        },
      });
      expect(memory().tensors).toBe(liveAfterFirst);
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(40);
      expect(Object.keys(lines[0])).toEqual(
        expect.arrayContaining(['step', 'loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'num_tokens']),
      );
      expect(lines[0].num_tokens).toBe(4 * cfg.blockSize);
      expect(lines[19].eval_loss).toBeTypeOf('number');
      const after = log[log.length - 1].eval_loss as number;
      expect(before).toBeGreaterThan(1.5); // about ln 7 at initialisation
      expect(after).toBeLessThan(before * 0.6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with a clear error on a non-finite loss, leaving the parameters untouched', async () => {
    const model = new GPT({ ...cfg, dropout: 0 }, { seed: 4 });
    noGrad(() => model.lnF.weight.assign(tensor(new Float32Array(8).fill(NaN))));
    const snapshot = bits(model);
    await expect(
      trainSft({ model, optimizer: makeOptimizer(model), rng: new Rng(0), nextBatch, steps: 2 }),
    ).rejects.toThrow(/trainSft: non-finite loss at step 1 /);
    expect(bits(model)).toEqual(snapshot);
  });
});

describe('ProgressBar', () => {
  it('prints plain lines at each tenth when not on a terminal, and redraws in place on one', () => {
    const plain: string[] = [];
    const bar = new ProgressBar(20, { label: 'run', stream: { write: (s: string) => plain.push(s) } });
    for (let i = 1; i <= 20; i++) bar.update(i, `loss ${i}`);
    bar.finish();
    expect(plain).toHaveLength(11); // the first update, then 10%, 20%, ... 100%
    expect(plain.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(plain[5]).toMatch(/^run 10\/20 +50% \d+s < \d+s \| loss 10\n$/);
    const tty: string[] = [];
    const live = new ProgressBar(4, { stream: { write: (s: string) => tty.push(s), isTTY: true }, redrawMs: 0 });
    live.update(2);
    live.update(4);
    live.finish('done');
    expect(tty[0]).toMatch(/^\r\[#{12}\.{12}\] 2\/4 {2}50%/);
    expect(tty[tty.length - 1]).toMatch(/\r\[#{24}\] 4\/4 100% \d+s \| done\x1b\[K\n$/);
    const early: string[] = [];
    const stopped = new ProgressBar(10, { stream: { write: (s: string) => early.push(s) } });
    stopped.update(3);
    stopped.finish('stopped');
    expect(early[early.length - 1]).toMatch(/^3\/10 +30% .*\| stopped\n$/);
  });
});
