// The registry's defaults are the numbers of docs/losses.md (typed in here from the document, not read from src),
// and each spec's claims (reference need, log-prob kind) hold for the loss body it names.

import { describe, expect, it } from 'vitest';
import { losses } from '../../src/index.js';
import { inputsOf, pairs, type Batch } from './helpers.js';

const SLIME_PAPER = {
  lambdaW: 0.1,
  lambdaL: 0.1,
  lambdaD: 1.0,
  delta: 1.25,
  mHard: 1.5,
  mSoft: 1.0,
  kappa: 2.5,
  p: 2.5,
};
const SWITCHES_ON = { softMargin: 1, hardMargin: 1 };

const FROM_LOSSES_MD: Record<
  string,
  { defaults: Record<string, number>; needsReference: boolean; logps: 'sum' | 'mean' }
> = {
  sft: { defaults: {}, needsReference: false, logps: 'mean' },
  dpo: { defaults: { beta: 0.1, labelSmoothing: 0 }, needsReference: true, logps: 'sum' },
  robust: { defaults: { beta: 0.1, labelSmoothing: 0 }, needsReference: true, logps: 'sum' },
  hinge: { defaults: { beta: 0.1 }, needsReference: true, logps: 'sum' },
  ipo: { defaults: { beta: 0.1 }, needsReference: true, logps: 'mean' },
  simpo: { defaults: { beta: 2.0, gamma: 1.0 }, needsReference: false, logps: 'mean' },
  'simpo-trl': { defaults: { beta: 0.1, gamma: 0.5 }, needsReference: false, logps: 'mean' },
  cpo: { defaults: { beta: 0.1, alpha: 1.0 }, needsReference: false, logps: 'sum' },
  cpoSimpo: { defaults: { beta: 2.0, gamma: 1.0, alpha: 1.0 }, needsReference: false, logps: 'mean' },
  orpo: { defaults: { beta: 0.1 }, needsReference: false, logps: 'mean' },
  slime: { defaults: { ...SLIME_PAPER, ...SWITCHES_ON }, needsReference: false, logps: 'mean' },
  'slime-script': {
    defaults: { ...SLIME_PAPER, lambdaL: 0.0005, ...SWITCHES_ON },
    needsReference: false,
    logps: 'mean',
  },
  kto: { defaults: { beta: 0.1, lambdaD: 1, lambdaU: 1 }, needsReference: true, logps: 'sum' },
};

// Each spec's formula, from docs/losses.md: the summary table's cell where the spec quotes it verbatim, otherwise a
// piece of the section's formula (the spec writes -alpha lbar_w as alpha NLL(y_w), and SLIME and KTO are given
// per part in the document).
const FORMULA_FROM_LOSSES_MD: Record<string, { is: string } | { has: string[] }> = {
  sft: { is: '-lbar(y_w)' },
  dpo: { is: '-(1-eps) logsig(beta h) - eps logsig(-beta h)' },
  robust: { is: '[-(1-eps) logsig(beta h) + eps logsig(-beta h)] / (1 - 2 eps)' },
  hinge: { is: 'ReLU(1 - beta h)' },
  ipo: { is: '(h - 1/(2 beta))^2' },
  simpo: { is: '-logsig(beta (lbar_w - lbar_l) - gamma)' },
  'simpo-trl': { is: '-logsig(beta (lbar_w - lbar_l) - gamma)' },
  cpo: { has: ['-logsig(beta (sum-l_w - sum-l_l))', 'alpha'] },
  cpoSimpo: { has: ['alpha', 'SimPO'] },
  orpo: { has: ['- beta logsig(log_odds)'] },
  slime: { has: ['L_w + L_dist', 'L_l'] },
  'slime-script': { has: ['L_w + L_dist', 'L_l'] },
  kto: { has: ['lambda_D (1 - sigma(beta (r - z0)))', 'lambda_U (1 - sigma(beta (z0 - r)))'] },
};

// two tokens on the chosen side, so a summed and a mean log-prob differ
const BATCH: Batch = {
  chosen: { values: [[-1, -3]], mask: [[1, 1]] },
  rejected: { values: [[-2]], mask: [[1]] },
  refChosen: [[-1.5, -1.5]],
  refRejected: [[-1]],
};

describe('loss registry', () => {
  it('holds every loss of docs/losses.md with its defaults, reference need and log-prob kind', () => {
    expect(losses.lossNames().sort()).toEqual(Object.keys(FROM_LOSSES_MD).sort());
    for (const [name, want] of Object.entries(FROM_LOSSES_MD)) {
      const spec = losses.getLoss(name);
      expect({ ...spec.defaults }, name).toEqual(want.defaults);
      expect(spec.needsReference, name).toBe(want.needsReference);
      expect(spec.logps, name).toBe(want.logps);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('states each per-pair formula in the notation of docs/losses.md', () => {
    expect(Object.keys(FORMULA_FROM_LOSSES_MD).sort()).toEqual(losses.lossNames().sort());
    for (const [name, want] of Object.entries(FORMULA_FROM_LOSSES_MD)) {
      const { formula } = losses.getLoss(name);
      if ('is' in want) expect(formula, name).toBe(want.is);
      else for (const piece of want.has) expect(formula, name).toContain(piece);
    }
  });

  it('each spec matches its loss body: a reference is demanded exactly when declared, logps/* is of the declared kind', () => {
    const [pair] = pairs(BATCH);
    for (const name of losses.lossNames()) {
      const spec = losses.getLoss(name);
      const { refChosenLogps: _c, refRejectedLogps: _r, ...policyOnly } = inputsOf(BATCH);
      if (spec.needsReference) expect(() => spec.fn(policyOnly), name).toThrow(/needs the reference model's log-probs/);
      else expect(() => spec.fn(policyOnly), name).not.toThrow();
      const chosen = spec.fn(inputsOf(BATCH)).metrics['logps/chosen'].itemSync();
      expect(chosen, name).toBeCloseTo(spec.logps === 'sum' ? pair.sumW : pair.lbarW, 12);
    }
  });
});
