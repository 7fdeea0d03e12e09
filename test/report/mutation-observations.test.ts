// observe() on hand-made summaries: the whole list of observations, every sentence written out here, for a run
// where SLIME wins, loses and ties, and for a single interrupted seed (test/showcase/observations.test.ts checks
// single sentences of other cases).

import { describe, expect, it } from 'vitest';
import { observe } from '../../src/report/observations.js';
import type { MethodSummary, Stat, Summary } from '../../src/report/summary.js';
import type { EvalMetric, EvalMetrics } from '../../src/train/evaluate.js';

interface Values {
  chosen?: number;
  format?: number;
  answer?: number;
  minp?: number;
  pref?: number;
  margin?: number;
}

function metrics(v: Values): EvalMetrics {
  return {
    'eval_lbar/chosen': v.chosen ?? -0.5,
    'eval_sumlogp/chosen': -3,
    'eval_lbar/rejected': -1,
    'eval_sumlogp/rejected': -6,
    'eval_min_token_prob/rejected': v.minp ?? 1e-3,
    'eval_margin/lbar': v.margin ?? 1,
    eval_preference_accuracy: v.pref ?? 0.8,
    eval_format_valid_rate: v.format ?? 0.8,
    eval_answer_accuracy: v.answer ?? 0.6,
  };
}

/** Final stats: the values with spread `std` (the lowest token probability without spread). */
function stats(v: Values, std: number, n: number): Record<EvalMetric, Stat> {
  const m = metrics(v);
  return Object.fromEntries(
    Object.entries(m).map(([k, x]) => [k, { mean: x, std: k === 'eval_min_token_prob/rejected' ? 0 : std, n }]),
  ) as Record<EvalMetric, Stat>;
}

function method(name: string, label: string, final: Values, perSeed: Values[], std: number): MethodSummary {
  return {
    name,
    label,
    description: '',
    seeds: perSeed.map((_, i) => i),
    final: stats(final, std, perSeed.length),
    train: {},
    curves: {} as MethodSummary['curves'],
    perSeed: perSeed.map((v, seed) => ({ seed, steps: 50, final: metrics(v), train: {} })),
    samples: [],
  };
}

function summary(methods: MethodSummary[], seeds: number, extra: Partial<Summary> = {}): Summary {
  return {
    settings: {},
    task: { kind: 'addition', description: '', trainPairs: 1, heldOutPairs: 1, generationPrompts: 1 },
    interrupted: false,
    wallSeconds: 1,
    checkpoint: {
      final: stats({ answer: 0.6 }, 0.01, seeds),
      perSeed: Array.from({ length: seeds }, (_, seed) => ({
        seed,
        sftSteps: 1,
        sftSeconds: 1,
        sftLoss: 1,
        metrics: metrics({}),
      })),
    },
    methods,
    observations: [],
    ...extra,
  };
}

describe('observe, the whole list', () => {
  it('two seeds: a baseline ahead, behind and tied, unlearning and collapse counted per seed, an ablation', () => {
    // the checkpoint: chosen lbar -0.5 and format-valid 0.8 on both seeds; every spread 0.01, so a gap must
    // exceed 0.02 to count
    const ipo = method('ipo', 'IPO', { chosen: -0.53, minp: 1e-4 }, [{ chosen: -0.7 }, { chosen: -0.53 }], 0.01);
    const dpo = method(
      'dpo',
      'DPO',
      { chosen: -0.9, format: 0.3, answer: 0.7, minp: 1e-6, margin: 2 },
      [
        { chosen: -0.9, format: 0.3 },
        { chosen: -0.65, format: 0.5 },
      ],
      0.01,
    );
    // on the edges: a fall of exactly 0.1, a format-valid rate of exactly half
    const slime = method('slime', 'SLIME', { answer: 0.5, margin: 1.01 }, [{ chosen: -0.6 }, { format: 0.4 }], 0.01);
    const noAnchor = method(
      'slime-no-anchor',
      'SLIME w/o anchor',
      { chosen: -0.45, format: 0.7, answer: 0.5, minp: 5e-4 },
      [{ chosen: -2, format: 0 }, {}],
      0.01,
    );
    expect(observe(summary([ipo, dpo, slime, noAnchor], 2))).toEqual([
      'Held-out chosen lbar (mean log-prob per chosen token) was -0.500 at the SFT checkpoint; ' +
        'after 50 steps (mean of 2 seeds): SLIME -0.500, IPO -0.530, DPO -0.900.',
      "The chosen lbar fell more than 0.1 nats per token below its seed's SFT checkpoint (unlearning) " +
        'under DPO in 2 of 2 seeds, IPO in 1 of 2 seeds; in no seed under SLIME.',
      'Greedy answers to held-out prompts kept the template in 80% of cases at the checkpoint; ' +
        'after training: IPO 80%, SLIME 80%, DPO 30%.',
      "Formatting collapsed (format-valid rate under half its seed's checkpoint) under DPO in 1 of 2 seeds; " +
        'in no seed under IPO, SLIME.',
      'The least likely rejected token had probability 1.0e-3 at the checkpoint; ' +
        'after training: DPO 1.0e-6, IPO 1.0e-4, SLIME 1.0e-3 (lowest first).',
      'Answer accuracy on held-out prompts was 60% at the checkpoint; after training: DPO 70%, IPO 60%, SLIME 50%.',
      'SLIME beats IPO, DPO on chosen lbar (SLIME -0.500 vs IPO -0.530, DPO -0.900).',
      "SLIME beats DPO on format-valid rate (SLIME 80% vs DPO 30%); IPO is within the seeds' spread of SLIME.",
      'SLIME does not come out ahead on answer accuracy: IPO 60%, DPO 70% vs SLIME 50%.',
      "On preference accuracy SLIME (80%) is within the seeds' spread of every baseline.",
      'SLIME does not come out ahead on held-out margin: DPO 2.000 vs SLIME 1.010.',
      "SLIME w/o anchor: chosen lbar -0.450 (higher than full SLIME's -0.500), " +
        "format-valid 70% (lower than full SLIME's 80%), answer acc. 50% (about the same as full SLIME's 50%), " +
        "lowest rejected-token p 5.0e-4 (lower than full SLIME's 1.0e-3).",
    ]);
  });

  it('one interrupted seed: plural forms, ties named together, a seed with no checkpoint left out', () => {
    const dpo = method('dpo', 'DPO', { chosen: -0.9 }, [{ chosen: -0.9 }], 0);
    // a run on seed 9, whose checkpoint is not in the summary: it is not counted
    dpo.perSeed.push({ seed: 9, steps: 50, final: metrics({ chosen: -5 }), train: {} });
    const kto = method('kto', 'KTO', { chosen: -0.505 }, [{}], 0);
    const ipo = method('ipo', 'IPO', { chosen: -0.495 }, [{}], 0);
    const slime = method('slime', 'SLIME', {}, [{}], 0);
    expect(observe(summary([dpo, kto, ipo, slime], 1, { interrupted: true }))).toEqual([
      'Held-out chosen lbar (mean log-prob per chosen token) was -0.500 at the SFT checkpoint; ' +
        'after 50 steps (mean of 1 seed): IPO -0.495, SLIME -0.500, KTO -0.505, DPO -0.900.',
      "The chosen lbar fell more than 0.1 nats per token below its seed's SFT checkpoint (unlearning) " +
        'under DPO in 1 of 1 seed; in no seed under KTO, IPO, SLIME.',
      'Greedy answers to held-out prompts kept the template in 80% of cases at the checkpoint; ' +
        'after training: DPO 80%, KTO 80%, IPO 80%, SLIME 80%.',
      "Formatting collapsed (format-valid rate under half its seed's checkpoint): in no seed, under any method.",
      'The least likely rejected token had probability 1.0e-3 at the checkpoint; ' +
        'after training: DPO 1.0e-3, KTO 1.0e-3, IPO 1.0e-3, SLIME 1.0e-3 (lowest first).',
      'Answer accuracy on held-out prompts was 60% at the checkpoint; ' +
        'after training: DPO 60%, KTO 60%, IPO 60%, SLIME 60%.',
      "SLIME beats DPO on chosen lbar (SLIME -0.500 vs DPO -0.900); KTO, IPO are within the seeds' spread of SLIME.",
      "On format-valid rate SLIME (80%) is within the seeds' spread of every baseline.",
      "On answer accuracy SLIME (60%) is within the seeds' spread of every baseline.",
      "On preference accuracy SLIME (80%) is within the seeds' spread of every baseline.",
      "On held-out margin SLIME (1.000) is within the seeds' spread of every baseline.",
      'With a single seed there is no spread over seeds to judge noise by: ' +
        'every difference above is reported as it was measured.',
      'The run was interrupted: only runs that finished (on seeds every method finished, where there are any) ' +
        'are included above.',
    ]);
  });

  it('the lowest token probability counts a gap only above half the smaller value', () => {
    const slime = method('slime', 'SLIME', { minp: 1e-3 }, [{}], 0);
    // a gap of 0.4e-3 against a floor of 0.5 * 0.6e-3: lower (it would not be against half the larger value);
    // a gap of 0.3e-3 against 0.5 * 0.7e-3: the same
    const lower = method('slime-a', 'A', { minp: 0.6e-3 }, [{}], 0);
    const same = method('slime-b', 'B', { minp: 0.7e-3 }, [{}], 0);
    const notes = observe(summary([slime, lower, same], 1));
    expect(notes.filter((n) => n.startsWith('A: ') || n.startsWith('B: ')).map((n) => n.split(', ')[3])).toEqual([
      "lowest rejected-token p 6.0e-4 (lower than full SLIME's 1.0e-3).",
      "lowest rejected-token p 7.0e-4 (about the same as full SLIME's 1.0e-3).",
    ]);
    // SLIME alone among the main methods: no comparison with baselines
    expect(notes.some((n) => n.includes('beats') || n.includes('every baseline'))).toBe(false);
  });

  it('every method hit: the most often first, and no "in no seed" clause', () => {
    const dpo = method('dpo', 'DPO', {}, [{ chosen: -0.9 }, {}, {}], 0);
    const slime = method('slime', 'SLIME', {}, [{ chosen: -0.9 }, { chosen: -0.9 }, { chosen: -0.9 }], 0);
    expect(observe(summary([dpo, slime], 3))[1]).toBe(
      "The chosen lbar fell more than 0.1 nats per token below its seed's SFT checkpoint (unlearning) " +
        'under SLIME in 3 of 3 seeds, DPO in 1 of 3 seeds.',
    );
    // ordered by the fraction of seeds (1 of 1 before 1 of 2), not by counts
    const once = method('dpo', 'DPO', {}, [{ chosen: -0.9 }], 0);
    const half = method('ipo', 'IPO', {}, [{ chosen: -0.9 }, {}], 0);
    expect(observe(summary([once, half], 2))[1]).toBe(
      "The chosen lbar fell more than 0.1 nats per token below its seed's SFT checkpoint (unlearning) " +
        'under DPO in 1 of 1 seed, IPO in 1 of 2 seeds.',
    );
  });

  it('a gap exactly as large as the two spreads together is not a difference', () => {
    const slime = method('slime', 'SLIME', { chosen: -0.5 }, [{}], 0.25);
    const same = method('slime-a', 'A', { chosen: 0 }, [{}], 0.25);
    const notes = observe(summary([slime, same], 1));
    expect(notes.find((n) => n.startsWith('A: '))?.split(', ')[0]).toBe(
      "A: chosen lbar 0.000 (about the same as full SLIME's -0.500)",
    );
  });

  it('nothing to compare: an evaluated checkpoint, or no finished method', () => {
    expect(observe(summary([], 1, { settings: { evalOnly: 'ck' } }))).toEqual([
      'One checkpoint was evaluated (--eval-only): there are no methods to compare.',
    ]);
    expect(observe(summary([], 1))).toEqual(['No method finished a run, so there is nothing to compare yet.']);
    // --eval-only unset (null) is not an evaluated checkpoint
    expect(observe(summary([], 1, { settings: { evalOnly: null } }))).toEqual([
      'No method finished a run, so there is nothing to compare yet.',
    ]);
  });
});
