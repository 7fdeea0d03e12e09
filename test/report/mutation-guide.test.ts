// The reader's guide around the numbers (guide.ts) on hand-made summaries and settings: each short-run warning at
// its threshold, the glossary, the command line and the settings rows, every expected string written out here.

import { describe, expect, it } from 'vitest';
import {
  GLOSSARY,
  MIN_CHECKPOINT_ACCURACY,
  MIN_PREFERENCE_STEPS,
  reproduceCommand,
  settingsRows,
  shortRunWarnings,
} from '../../src/report/guide.js';
import { finals, handSummary, st } from './hand-summary.js';

const UNTRAINED =
  'The SFT checkpoint answers only 25% of held-out prompts correctly after 4 SFT steps: ' +
  'it has not learned the task yet, so the methods below are compared on an undertrained model ' +
  'and their differences say little. Run more SFT steps (the default run, without --quick, uses 200).';
const SHORT =
  'Only 31 preference steps per method: too few for the losses to pull apart; ' +
  'treat differences as noise (the default run uses 96).';
const ONE_SEED = 'A single seed: there is no spread over seeds to tell a real difference from noise.';
const INTERRUPTED = 'The run was interrupted: only the runs that finished are reported.';

/** A summary whose checkpoint answers `accuracy` of the prompts, with the given settings. */
function withAccuracy(accuracy: number | undefined, settings: Record<string, unknown>, kind = 'addition') {
  const s = handSummary({}, { sftSteps: 4, seeds: [0, 1], steps: 96, ...settings });
  const final = { ...finals(0) } as Record<string, unknown>;
  if (accuracy === undefined) delete final.eval_answer_accuracy;
  else final.eval_answer_accuracy = st(accuracy);
  s.checkpoint.final = final as typeof s.checkpoint.final;
  s.task = { ...s.task, kind: kind as 'addition' | 'file' };
  return s;
}

describe('shortRunWarnings', () => {
  it('thresholds', () => {
    expect(MIN_CHECKPOINT_ACCURACY).toBe(0.5);
    expect(MIN_PREFERENCE_STEPS).toBe(32);
  });

  it('every warning at once, in order', () => {
    const s = withAccuracy(0.25, { steps: 31, seeds: [7] });
    s.interrupted = true;
    expect(shortRunWarnings(s)).toEqual([UNTRAINED, SHORT, ONE_SEED, INTERRUPTED]);
  });

  it('an untrained checkpoint: below half right, on the addition task, with a finite accuracy', () => {
    expect(shortRunWarnings(withAccuracy(0.25, {}))).toEqual([UNTRAINED]);
    expect(shortRunWarnings(withAccuracy(0.5, {}))).toEqual([]);
    expect(shortRunWarnings(withAccuracy(0.25, {}, 'file'))).toEqual([]);
    expect(shortRunWarnings(withAccuracy(Number.NaN, {}))).toEqual([]);
    expect(shortRunWarnings(withAccuracy(Number.NEGATIVE_INFINITY, {}))).toEqual([]);
    expect(shortRunWarnings(withAccuracy(undefined, {}))).toEqual([]);
  });

  it('too few steps: under 32, and only when the step count is a number', () => {
    expect(shortRunWarnings(withAccuracy(1, { steps: 31 }))).toEqual([SHORT]);
    expect(shortRunWarnings(withAccuracy(1, { steps: 32 }))).toEqual([]);
    expect(shortRunWarnings(withAccuracy(1, { steps: '3' }))).toEqual([]);
  });

  it('one seed or none warns; two do not', () => {
    expect(shortRunWarnings(withAccuracy(1, { seeds: [3] }))).toEqual([ONE_SEED]);
    expect(shortRunWarnings(withAccuracy(1, { seeds: undefined }))).toEqual([ONE_SEED]);
    expect(shortRunWarnings(withAccuracy(1, { seeds: [3, 4] }))).toEqual([]);
  });
});

describe('GLOSSARY', () => {
  it('defines the terms the report uses', () => {
    expect(GLOSSARY).toEqual([
      [
        'nat',
        'the unit of a natural-log probability: a log-prob of -1 nat is a probability of e^-1 ≈ 0.37; ' +
          '-2.3 nats ≈ 0.1.',
      ],
      [
        'lbar',
        'the mean per-token log-prob of a completion (nats per token), length-normalised: lbar(chosen) near 0 ' +
          'means the model finds the chosen answer very likely; a falling lbar(chosen) is "unlearning" the answer ' +
          'it should prefer.',
      ],
      [
        'sum-l',
        'the summed log-prob of a completion (nats): lbar times its length. ' +
          'DPO, IPO and KTO score completions this way.',
      ],
      [
        'margin',
        'lbar(chosen) - lbar(rejected) on held-out pairs (nats per token): ' +
          'how far apart the model puts the two answers.',
      ],
      [
        'lowest rejected-token p',
        'the smallest probability the model gives any token of any held-out rejected completion: a value ' +
          "collapsing towards 0 means rejected tokens are being crushed, which SLIME's stabilizer is meant to prevent.",
      ],
      [
        'format-valid',
        'the fraction of greedy answers to held-out prompts that are exactly in the template "A:<number>." ' +
          'followed by end-of-sequence.',
      ],
      ['answer accuracy', 'the fraction of greedy answers whose number is the correct sum.'],
      [
        'seed',
        'one full repetition: its own SFT run (initialisation) and data order. Means and ± spreads are over seeds.',
      ],
    ]);
  });
});

const FULL = {
  quick: true,
  methods: ['dpo', 'slime'],
  seeds: [0, 1, 2],
  sftSteps: 200,
  steps: 96,
  batchSize: 8,
  lr: 0.001,
  sftLr: 0.003,
  evalEvery: 8,
  modelName: 'micro',
  model: { nEmbd: 16, nLayer: 1, nHead: 2, blockSize: 32 },
  backend: 'cpu',
  data: null,
  chatTemplate: 't.jinja',
  evalOnly: null,
  out: 'runs/x',
  sweepLr: [],
};

describe('reproduceCommand', () => {
  it('spells out every set flag, in a fixed order, and leaves out unset ones', () => {
    expect(reproduceCommand(FULL)).toBe(
      'npm start -- --quick --methods dpo,slime --seeds 3 --sft-steps 200 --steps 96 --batch 8 --lr 0.001 ' +
        '--sft-lr 0.003 --eval-every 8 --model micro --n-embd 16 --n-layer 1 --n-head 2 --block-size 32 ' +
        '--backend cpu --chat-template t.jinja --out runs/x',
    );
    expect(reproduceCommand({})).toBe('npm start -- ');
    expect(reproduceCommand({ quick: false, data: 'd.jsonl', evalOnly: 'ck', chatTemplate: null })).toBe(
      'npm start -- --data d.jsonl --eval-only ck',
    );
  });

  it('a sweep gives its rates instead of --lr', () => {
    expect(reproduceCommand({ lr: 0.001, sweepLr: [0.001, 0.01] })).toBe('npm start -- --sweep-lr 0.001,0.01');
  });
});

describe('settingsRows', () => {
  it('every known setting by its readable name, in a fixed order, then unknown keys by their own name', () => {
    const settings = {
      zeta: 'last',
      extra: { a: 1 },
      progress: false,
      ...FULL,
      evalPairs: 20,
      evalGenerations: 10,
      trainSize: 500,
      sweepLr: [0.001, 0.01],
      evalOnly: 'ck',
    };
    expect(settingsRows(settings)).toEqual([
      ['methods', 'dpo, slime'],
      ['seeds', '3 (0, 1, 2)'],
      ['SFT steps', '200'],
      ['preference steps per method', '96'],
      ['pairs per step', '8'],
      ['preference learning rate', '0.001'],
      ['learning rates swept', '0.001, 0.01'],
      ['SFT learning rate', '0.003'],
      ['evaluate every (steps)', '8'],
      ['held-out pairs scored', '20'],
      ['held-out prompts answered', '10'],
      ['training pairs generated', '500'],
      ['model preset', 'micro'],
      ['model size', '1 layers, 16 wide, 2 heads, block 32 tokens'],
      ['backend', 'cpu'],
      ['data file', 'the synthetic addition task'],
      ['chat template', 't.jinja'],
      ['checkpoint evaluated (no training)', 'ck'],
      ['output folder', 'runs/x'],
      ['quick run', 'yes'],
      ['progress bars', 'no'],
      ['zeta', 'last'],
      ['extra', '[object Object]'],
    ]);
  });

  it('unset values: the defaults named, anything else a dash; an unset --eval-only left out', () => {
    expect(
      settingsRows({ chatTemplate: null, data: undefined, backend: null, evalOnly: null, seeds: 2, model: 'tiny' }),
    ).toEqual([
      ['seeds', '2'],
      ['model size', 'tiny'],
      ['backend', '—'],
      ['data file', 'the synthetic addition task'],
      ['chat template', 'the default template'],
    ]);
    expect(settingsRows({ evalOnly: undefined })).toEqual([]);
  });
});
