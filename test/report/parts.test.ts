// The report's building blocks on a hand-made summary, without running the showcase: the run description, the
// sample-answer grid and the final and loss-terms tables. Every expected string is written out here.

import { describe, expect, it } from 'vitest';
import { describeRun, SAMPLES_SHOWN } from '../../src/report/describe.js';
import { sampleGrid } from '../../src/report/samples.js';
import {
  finalTable,
  formatNumber,
  formatStat,
  LOSS_TERMS_HEADERS,
  lossTermsTable,
  TABLE_COLUMNS,
} from '../../src/report/table.js';
import { handMethod as method, handSummary as summary, st } from './hand-summary.js';

describe('describeRun', () => {
  it('a plain run: task, pipeline, methods and wall time, in that order', () => {
    expect(describeRun(summary())).toEqual([
      'Task: Add two numbers. 100 training pairs; 20 held-out pairs scored for likelihoods and ' +
        '10 held-out prompts answered greedily.',
      'Pipeline: a byte-level GPT-2 (2 layers, 32 wide, 4 heads, block 64) is trained with SFT on the chosen ' +
        'completions (40 steps), then each method starts from that same checkpoint and trains for 24 steps of 8 ' +
        'pairs at learning rate 0.001 (AdamW, linear warmup over the first tenth of the steps, no weight decay, ' +
        'gradient norm clipped to 1), in the same data order. 2 seeds: each seed has its own SFT run and data ' +
        'order. Held-out evaluation every 6 steps.',
      'Methods: DPO — dpo in words; SLIME — slime in words.',
      'Wall time of the whole run: 89 s.',
    ]);
  });

  it('one seed, no model shape, a sweep listing each method once, and an interrupted run in minutes', () => {
    const swept = summary(
      {
        methods: [
          method('dpo@1', 'DPO @ lr 0.001', { method: 'dpo', lr: 0.001, description: 'direct' }),
          method('dpo@2', 'DPO @ lr 0.002', { method: 'dpo', lr: 0.002, description: 'direct' }),
        ],
        wallSeconds: 90,
        interrupted: true,
      },
      { model: undefined, seeds: [3], sweepLr: [0.001, 0.002] },
    );
    const [, pipeline, methods, wall] = describeRun(swept);
    expect(pipeline).toContain('a byte-level GPT-2 is trained');
    expect(pipeline).toContain('at each learning rate of the sweep (0.001, 0.002) (AdamW');
    expect(pipeline).toContain('. 1 seed: each seed');
    expect(methods).toBe('Methods: DPO — direct.');
    expect(wall).toBe('Wall time of the whole run: 1.5 min (interrupted: partial results).');
    expect(describeRun(summary({}, { seeds: undefined }))[1]).toContain('. 0 seeds: each seed');
    expect(describeRun(summary({}, { sweepLr: [] }))[1]).toContain('at learning rate 0.001 (AdamW');
  });

  it('--eval-only: the task, the scored checkpoint and the wall time, no pipeline', () => {
    expect(describeRun(summary({ wallSeconds: 3 }, { evalOnly: 'ckpt' }))).toEqual([
      'Task: Add two numbers. 100 training pairs; 20 held-out pairs scored for likelihoods and ' +
        '10 held-out prompts answered greedily.',
      "Evaluation only: the checkpoint's model, a byte-level GPT-2 (2 layers, 32 wide, 4 heads, block 64), " +
        'was scored on the held-out set; nothing was trained.',
      'Wall time of the whole run: 3 s.',
    ]);
    expect(SAMPLES_SHOWN).toBe(8);
  });
});

describe('sampleGrid', () => {
  const sample = (prompt: string, after: string, afterFormatValid: boolean, afterCorrect: boolean) => ({
    prompt,
    before: `${prompt}?`,
    after,
    afterFormatValid,
    afterCorrect,
  });

  it('a row per prompt (up to count), the checkpoint then each method as columns, each answer judged', () => {
    const s = summary({
      methods: [
        method('dpo', 'DPO', { samples: [sample('1+1', '2', true, true), sample('2+2', '5', true, false)] }),
        method('slime', 'SLIME', { samples: [sample('1+1', 'x', false, false)] }),
      ],
    });
    expect(sampleGrid(s, 5)).toEqual({
      columns: ['SFT checkpoint', 'DPO', 'SLIME'],
      rows: [
        {
          prompt: '1+1',
          cells: [
            { text: '1+1?', verdict: null },
            { text: '2', verdict: 'right' },
            { text: 'x', verdict: 'broken' },
          ],
        },
        {
          prompt: '2+2',
          cells: [
            { text: '2+2?', verdict: null },
            { text: '5', verdict: 'valid, wrong' },
            { text: '', verdict: null },
          ],
        },
      ],
    });
    expect(sampleGrid(s, 1).rows.map((r) => r.prompt)).toEqual(['1+1']);
    expect(sampleGrid(summary({ methods: [] }), 5)).toEqual({ columns: [], rows: [] });
  });
});

describe('the tables', () => {
  it('numbers: fixed or exponential with the column’s digits; a cell is mean ± std', () => {
    expect(formatNumber(0.123456, 'fixed', 3)).toBe('0.123');
    expect(formatNumber(0.000123456, 'exp', 1)).toBe('1.2e-4');
    expect(formatStat({ mean: -1.5, std: 0.25, n: 3 }, 'fixed', 2)).toBe('-1.50 ± 0.25');
    expect(TABLE_COLUMNS.map((c) => c.header)).toEqual([
      'chosen lbar',
      'chosen sum-l',
      'rejected lbar',
      'lowest rejected-token p',
      'margin (lbar)',
      'preference acc.',
      'format-valid',
      'answer acc.',
    ]);
    expect(LOSS_TERMS_HEADERS).toEqual(['loss', 'rewards/margins', 'rewards/accuracies', 'terms']);
  });

  it('finalTable: the checkpoint row first, then one per method, each cell formatted by its column', () => {
    const rows = finalTable(summary());
    expect(rows.map((r) => [r.key, r.label])).toEqual([
      ['checkpoint', 'SFT checkpoint (start)'],
      ['dpo', 'DPO'],
      ['slime', 'SLIME'],
    ]);
    // EVAL_METRICS order: lbar/chosen 0, sumlogp/chosen 1, lbar/rejected 2, sumlogp/rejected 3 (not shown),
    // min_token_prob 4, margin 5, preference 6, format 7, answer 8; each metric i has mean base + i/8, std i/100
    expect(rows[1].cells).toEqual([
      '-1.000 ± 0.000',
      '-0.88 ± 0.01',
      '-0.750 ± 0.020',
      '-5.0e-1 ± 4.0e-2',
      '-0.375 ± 0.050',
      '-0.250 ± 0.060',
      '-0.125 ± 0.070',
      '0.000 ± 0.080',
    ]);
    expect(rows[0].cells[0]).toBe('-2.000 ± 0.000');
    expect(finalTable(summary({}, { evalOnly: 'runs/x' }))[0].label).toBe('checkpoint runs/x (evaluated)');
  });

  it('lossTermsTable: loss, margins, accuracies and the named terms, "-" for what was not logged', () => {
    const train = {
      loss: st(Math.LN2, 0.01),
      'rewards/margins': st(0.5),
      'rewards/accuracies': st(0.75, 0.125),
      'terms/preference': st(0.6),
      'terms/anchor': st(-0.125, 0.5),
    };
    const rows = lossTermsTable(summary({ methods: [method('slime', 'SLIME', { train }), method('sft', 'SFT')] }));
    expect(rows).toEqual([
      {
        key: 'slime',
        label: 'SLIME',
        cells: [
          '0.6931 ± 0.0100',
          '0.5000 ± 0.0000',
          '0.7500 ± 0.1250',
          'preference 0.6000 ± 0.0000; anchor -0.1250 ± 0.5000',
        ],
      },
      { key: 'sft', label: 'SFT', cells: ['-', '-', '-', ''] },
    ]);
  });
});
