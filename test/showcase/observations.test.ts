import { describe, expect, it } from 'vitest';
import { observe } from '../../src/report/observations.js';
import { stat, type MethodSummary, type Summary } from '../../src/report/summary.js';
import { EVAL_METRICS, type EvalMetric, type EvalMetrics } from '../../src/train/evaluate.js';

const base: EvalMetrics = {
  'eval_lbar/chosen': -0.1,
  'eval_sumlogp/chosen': -0.6,
  'eval_lbar/rejected': -1,
  'eval_sumlogp/rejected': -6,
  'eval_min_token_prob/rejected': 1e-4,
  'eval_margin/lbar': 0.9,
  eval_preference_accuracy: 0.9,
  eval_format_valid_rate: 1,
  eval_answer_accuracy: 0.9,
};

/** Stats over two seeds at value +- spread. */
function stats(values: Partial<EvalMetrics>, spread = 0.001): Record<EvalMetric, ReturnType<typeof stat>> {
  const m = { ...base, ...values };
  // probabilities are tiny: their spread is relative
  const d = (k: EvalMetric) => (k === 'eval_min_token_prob/rejected' ? m[k] * 0.01 : spread);
  return Object.fromEntries(EVAL_METRICS.map((k) => [k, stat([m[k] - d(k), m[k] + d(k)])])) as Record<
    EvalMetric,
    ReturnType<typeof stat>
  >;
}

function method(name: string, label: string, values: Partial<EvalMetrics>, spread?: number): MethodSummary {
  const final = { ...base, ...values };
  return {
    name,
    label,
    description: '',
    seeds: [0, 1],
    final: stats(values, spread),
    train: {},
    curves: {} as MethodSummary['curves'],
    perSeed: [
      { seed: 0, steps: 50, final, train: {} },
      { seed: 1, steps: 50, final, train: {} },
    ],
    samples: [],
  };
}

function summary(methods: MethodSummary[]): Summary {
  return {
    settings: {},
    task: { kind: 'addition', description: '', trainPairs: 1, heldOutPairs: 1, generationPrompts: 1 },
    interrupted: false,
    wallSeconds: 1,
    checkpoint: {
      final: stats({}),
      perSeed: [0, 1].map((seed) => ({ seed, sftSteps: 1, sftSeconds: 1, sftLoss: 1, metrics: base })),
    },
    methods,
    observations: [],
  };
}

describe('observations', () => {
  const dpo = method('dpo', 'DPO', {
    'eval_lbar/chosen': -0.6,
    eval_format_valid_rate: 0.3,
    eval_answer_accuracy: 0.95,
    'eval_margin/lbar': 2,
  });
  const slime = method('slime', 'SLIME', {
    'eval_lbar/chosen': -0.15,
    eval_format_valid_rate: 1,
    eval_answer_accuracy: 0.8,
    'eval_margin/lbar': 0.6,
  });

  it('states the measured numbers, unlearning and collapse, and where SLIME does not come out ahead', () => {
    const text = observe(summary([dpo, slime])).join('\n');
    expect(text).toContain('was -0.100 at the SFT checkpoint');
    expect(text).toContain('SLIME -0.150, DPO -0.600');
    expect(text).toContain(
      "The chosen lbar fell more than 0.1 nats per token below its seed's SFT checkpoint (unlearning) under DPO in 2 of 2 seeds; in no seed under SLIME.",
    );
    expect(text).toContain(
      "Formatting collapsed (format-valid rate under half its seed's checkpoint) under DPO in 2 of 2 seeds; in no seed under SLIME.",
    );
    expect(text).toContain('SLIME does not come out ahead on answer accuracy: DPO 95% vs SLIME 80%.');
    expect(text).toContain('SLIME does not come out ahead on held-out margin: DPO 2.000 vs SLIME 0.600.');
    expect(text).toContain('SLIME beats DPO on format-valid rate');
  });

  it("calls differences within the seeds' spread a tie, not a win", () => {
    const close = method('ipo', 'IPO', { 'eval_lbar/chosen': -0.13 }, 0.05);
    const text = observe(summary([close, method('slime', 'SLIME', { 'eval_lbar/chosen': -0.12 }, 0.05)])).join('\n');
    expect(text).toContain("On chosen lbar SLIME (-0.120) is within the seeds' spread of every baseline.");
    expect(text).toContain('(unlearning): in no seed, under any method.');
  });

  it("names the baselines that are within the seeds' spread when SLIME beats others", () => {
    const tied = method('orpo', 'ORPO', { 'eval_lbar/chosen': -0.16 }, 0.05);
    const text = observe(summary([dpo, tied, method('slime', 'SLIME', { 'eval_lbar/chosen': -0.15 }, 0.05)])).join(
      '\n',
    );
    expect(text).toContain(
      "SLIME beats DPO on chosen lbar (SLIME -0.150 vs DPO -0.600); ORPO is within the seeds' spread of SLIME.",
    );
  });

  it('compares ablations with full SLIME', () => {
    const noStab = method('slime-no-stabilizer', 'SLIME w/o stabilizer', { 'eval_min_token_prob/rejected': 1e-7 });
    const text = observe(summary([slime, noStab, dpo])).join('\n');
    expect(text).toContain("SLIME w/o stabilizer: chosen lbar -0.100 (higher than full SLIME's -0.150)");
    expect(text).toContain("lowest rejected-token p 1.0e-7 (lower than full SLIME's 1.0e-4)");
  });

  it('does not call a gap below the printed precision a difference, even with no seed spread', () => {
    const noAnchor = method(
      'slime-no-anchor',
      'SLIME w/o anchor',
      { 'eval_lbar/chosen': -0.152, 'eval_min_token_prob/rejected': 1.2e-4 },
      0,
    );
    const text = observe(summary([method('slime', 'SLIME', { 'eval_lbar/chosen': -0.15 }, 0), noAnchor])).join('\n');
    expect(text).toContain("chosen lbar -0.152 (about the same as full SLIME's -0.150)");
    expect(text).toContain("lowest rejected-token p 1.2e-4 (about the same as full SLIME's 1.0e-4)");
  });
});
