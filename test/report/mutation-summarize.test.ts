// summarize() on hand-made run records, without running the showcase: which seeds are compared, the statistics
// over seeds, the curves at shared steps and the samples beside the checkpoint's. Every expected value is worked
// out here by hand (metric i of m(v) is v + i, so every mean and spread is exact).

import { describe, expect, it } from 'vitest';
import type { CheckpointRecord, RunRecord, RunResults } from '../../src/report/summary.js';
import { summarize } from '../../src/report/summary.js';
import { EVAL_METRICS, type EvalMetrics, type GenerationSample } from '../../src/train/evaluate.js';

const m = (v: number): EvalMetrics =>
  Object.fromEntries(EVAL_METRICS.map((k, i) => [k, v + i])) as unknown as EvalMetrics;

/** Each metric i as { mean: mean + i, std, n }. */
const stats = (mean: number, std: number, n: number) =>
  Object.fromEntries(EVAL_METRICS.map((k, i) => [k, { mean: mean + i, std, n }]));

const gen = (prompt: string, completion: string, formatValid = true, correct = false): GenerationSample => ({
  prompt,
  completion,
  formatValid,
  correct,
});

function checkpoint(seed: number, v: number, samples: GenerationSample[] = []): CheckpointRecord {
  return { seed, sftSteps: 10 + seed, sftSeconds: 1.5, sftLoss: 0.7, metrics: m(v), samples };
}

function run(method: string, seed: number, curve: [number, number][], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    method,
    seed,
    steps: 4,
    complete: true,
    curve: curve.map(([step, v]) => ({ step, metrics: m(v) })),
    train: {},
    samples: [],
    seconds: 1,
    ...extra,
  };
}

const task = { kind: 'addition' as const, description: 'add', trainPairs: 5, heldOutPairs: 3, generationPrompts: 2 };

describe('summarize', () => {
  // seed 2 is left out everywhere: SLIME did not finish it
  const results: RunResults = {
    settings: { steps: 4 },
    task,
    methods: [
      { name: 'dpo', label: 'DPO', description: 'direct' },
      { name: 'slime', label: 'SLIME @ lr 0.01', description: 'ours', method: 'slime', lr: 0.01 },
    ],
    // not in seed order: the checkpoint a method's samples sit beside is found by seed
    checkpoints: [
      checkpoint(1, 2, [gen('1+1', 'B')]),
      checkpoint(0, 0, [gen('1+1', 'A:2.')]),
      checkpoint(2, 100, [gen('1+1', 'C')]),
    ],
    runs: [
      // seed 1 before seed 0, and without the step-2 evaluation seed 0 has
      run(
        'dpo',
        1,
        [
          [0, 2],
          [4, 5],
        ],
        { train: { loss: 3 }, samples: [gen('9+9', 'no')] },
      ),
      run(
        'dpo',
        0,
        [
          [0, 0],
          [2, 50],
          [4, 1],
        ],
        {
          train: { 'terms/a': 2, loss: 1 },
          samples: [gen('1+1', 'A:3.', true, false), gen('2+2', 'x', false, true)],
        },
      ),
      run('dpo', 2, [
        [0, 100],
        [4, 100],
      ]),
      run('slime', 0, [
        [0, 0],
        [4, 4],
      ]),
      run('slime', 1, [
        [0, 2],
        [4, 6],
      ]),
      run('slime', 2, [[0, 100]], { complete: false, steps: 1 }),
    ],
    interrupted: true,
    wallSeconds: 12,
  };

  it('compares the methods on the seeds all of them finished', () => {
    const s = summarize(results);
    expect(s.settings).toEqual({ steps: 4 });
    expect(s.task).toEqual(task);
    expect(s.interrupted).toBe(true);
    expect(s.wallSeconds).toBe(12);
    expect(s.observations).toEqual([]);
    // checkpoints of seeds 1 and 0 (values 2 + i and 0 + i): mean 1 + i, std sqrt(2)
    expect(s.checkpoint.final).toEqual(stats(1, Math.SQRT2, 2));
    expect(s.checkpoint.perSeed).toEqual([
      { seed: 1, sftSteps: 11, sftSeconds: 1.5, sftLoss: 0.7, metrics: m(2) },
      { seed: 0, sftSteps: 10, sftSeconds: 1.5, sftLoss: 0.7, metrics: m(0) },
    ]);
    expect(s.methods.map((x) => [x.name, x.label, x.description, x.method, x.lr, x.seeds])).toEqual([
      ['dpo', 'DPO', 'direct', undefined, undefined, [0, 1]],
      ['slime', 'SLIME @ lr 0.01', 'ours', 'slime', 0.01, [0, 1]],
    ]);
  });

  it('takes each run’s last evaluation as final, and averages the training metrics each seed logged', () => {
    const [dpo, slime] = summarize(results).methods;
    // finals 1 + i and 5 + i: mean 3 + i, variance (4 + 4) / 1
    expect(dpo.final).toEqual(stats(3, Math.sqrt(8), 2));
    // finals 4 + i and 6 + i
    expect(slime.final).toEqual(stats(5, Math.SQRT2, 2));
    expect(dpo.train).toEqual({ loss: { mean: 2, std: Math.SQRT2, n: 2 }, 'terms/a': { mean: 2, std: 0, n: 1 } });
    // the table lists the terms in this order: sorted by name, not in the order a run logged them
    expect(Object.keys(dpo.train)).toEqual(['loss', 'terms/a']);
    expect(slime.train).toEqual({});
    expect(dpo.perSeed).toEqual([
      { seed: 0, steps: 4, final: m(1), train: { loss: 1, 'terms/a': 2 } },
      { seed: 1, steps: 4, final: m(5), train: { loss: 3 } },
    ]);
  });

  it('draws curves only at the steps every seed reached', () => {
    const [dpo, slime] = summarize(results).methods;
    expect(Object.keys(dpo.curves)).toEqual([...EVAL_METRICS]);
    EVAL_METRICS.forEach((k, i) => {
      expect(dpo.curves[k]).toEqual([
        { step: 0, mean: 1 + i, std: Math.SQRT2 },
        { step: 4, mean: 3 + i, std: Math.sqrt(8) },
      ]);
      expect(slime.curves[k]).toEqual([
        { step: 0, mean: 1 + i, std: Math.SQRT2 },
        { step: 4, mean: 5 + i, std: Math.SQRT2 },
      ]);
    });
  });

  it('shows the first seed’s answers next to that seed’s checkpoint answers', () => {
    const [dpo, slime] = summarize(results).methods;
    expect(dpo.samples).toEqual([
      { prompt: '1+1', before: 'A:2.', after: 'A:3.', afterFormatValid: true, afterCorrect: false },
      { prompt: '2+2', before: '', after: 'x', afterFormatValid: false, afterCorrect: true },
    ]);
    expect(slime.samples).toEqual([]);
  });

  it('with no seed every method finished, each method keeps the runs it finished and none is dropped', () => {
    const s = summarize({
      ...results,
      methods: [
        { name: 'dpo', label: 'DPO', description: '' },
        { name: 'ipo', label: 'IPO', description: '' },
      ],
      checkpoints: [checkpoint(0, 0), checkpoint(1, 2)],
      runs: [
        run('dpo', 0, [[0, 7]]),
        run('dpo', 1, [[0, 9]], { complete: false }),
        run('ipo', 1, [[0, 9]], { complete: false }),
      ],
    });
    expect(s.checkpoint.perSeed.map((c) => c.seed)).toEqual([0, 1]);
    expect(s.checkpoint.final).toEqual(stats(1, Math.SQRT2, 2));
    expect(s.methods.map((x) => x.name)).toEqual(['dpo']);
    expect(s.methods[0].seeds).toEqual([0]);
    expect(s.methods[0].final).toEqual(stats(7, 0, 1));
    // one seed, no sample there: the checkpoint it starts from is still found, with no answer to show
    expect(s.methods[0].samples).toEqual([]);
  });

  it('a checkpoint with no finished run at all: summarize still counts the seeds that every method finished', () => {
    const s = summarize({
      ...results,
      methods: [{ name: 'dpo', label: 'DPO', description: '' }],
      checkpoints: [checkpoint(0, 0), checkpoint(1, 4)],
      runs: [run('dpo', 1, [[0, 3]], { samples: [gen('p', 'after')] })],
    });
    // seed 1 alone is complete: the checkpoint of seed 0 is left out, and the sample has no checkpoint answer
    expect(s.checkpoint.perSeed.map((c) => c.seed)).toEqual([1]);
    expect(s.checkpoint.final).toEqual(stats(4, 0, 1));
    expect(s.methods[0].samples).toEqual([
      { prompt: 'p', before: '', after: 'after', afterFormatValid: true, afterCorrect: false },
    ]);
  });

  it('a run on a seed with no checkpoint record shows its answers with no checkpoint answer beside them', () => {
    const s = summarize({
      ...results,
      methods: [{ name: 'dpo', label: 'DPO', description: '' }],
      checkpoints: [checkpoint(0, 0, [gen('p', 'before')])],
      runs: [run('dpo', 5, [[0, 3]], { samples: [gen('p', 'after')] })],
    });
    expect(s.methods[0].seeds).toEqual([5]);
    expect(s.methods[0].samples[0].before).toBe('');
  });
});
