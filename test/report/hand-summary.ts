// A hand-made Summary for the report's fast tests (no showcase run): two seeds, a checkpoint whose metric i has
// mean base + i / 8 and std i / 100, and methods built the same way. Tests override what they look at.

import type { MethodSummary, Stat, Summary } from '../../src/report/summary.js';
import { EVAL_METRICS, type EvalMetric } from '../../src/train/evaluate.js';

export const st = (mean: number, std = 0, n = 2): Stat => ({ mean, std, n });

/** Metric i: mean base + i / 8, std i / 100. */
export const finals = (base: number): Record<EvalMetric, Stat> =>
  Object.fromEntries(EVAL_METRICS.map((m, i) => [m, st(base + i / 8, i / 100)])) as Record<EvalMetric, Stat>;

export function handMethod(name: string, label: string, extra: Partial<MethodSummary> = {}): MethodSummary {
  return {
    name,
    label,
    description: `${name} in words`,
    seeds: [0, 1],
    final: finals(-1),
    train: {},
    curves: {} as MethodSummary['curves'],
    perSeed: [],
    samples: [],
    ...extra,
  };
}

export function handSummary(over: Partial<Summary> = {}, settings: Record<string, unknown> = {}): Summary {
  return {
    settings: {
      model: { nEmbd: 32, nLayer: 2, nHead: 4, blockSize: 64 },
      seeds: [0, 1],
      sftSteps: 40,
      steps: 24,
      batchSize: 8,
      lr: 0.001,
      evalEvery: 6,
      ...settings,
    },
    task: {
      kind: 'addition',
      description: 'Add two numbers.',
      trainPairs: 100,
      heldOutPairs: 20,
      generationPrompts: 10,
    },
    interrupted: false,
    wallSeconds: 89.4,
    checkpoint: { final: finals(-2), perSeed: [] },
    methods: [handMethod('dpo', 'DPO'), handMethod('slime', 'SLIME')],
    observations: [],
    ...over,
  };
}
