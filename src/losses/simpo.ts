// SimPO: a reference-free margin on MEAN per-token log-probs, -logsig(beta (lbar_w - lbar_l) - gamma), and
// CPO-SimPO (SimPO plus alpha * NLL of the chosen completion: what the SLIME paper ran as "SimPO").

import { anyFinite, nonNegative, positive, resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics, type PairStats } from './pairs.js';
import { policyRewards } from './rewards.js';
import type { Tensor } from '../tensor.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link simpo}. */
export interface SimpoConfig {
  /** Scale of the mean log-prob gap. */
  beta?: number;
  /** The target reward margin: the loss keeps pushing until beta * (lbar_w - lbar_l) is well past gamma. */
  gamma?: number;
}

/** The SimPO paper's values (gamma / beta = 0.5). */
export const SIMPO_DEFAULTS = { beta: 2.0, gamma: 1.0 } as const;
/**
 * TRL's CPOConfig values for loss_type 'simpo': gamma / beta = 5, a far larger margin in lbar units than the
 * paper's 0.5.
 */
export const SIMPO_TRL_PRESET = { beta: 0.1, gamma: 0.5 } as const;

function simpoPerPair(s: PairStats, beta: number, gamma: number): Tensor {
  return s.chosen.mean.sub(s.rejected.mean).mul(beta).sub(gamma).logSigmoid().neg();
}

/** -logsig(beta (lbar_w - lbar_l) - gamma), mean over pairs; no reference model. */
export function simpo(inputs: PreferenceInputs, config?: SimpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = simpoSpec;
  const c = resolveConfig(name, SIMPO_DEFAULTS, { beta: positive, gamma: anyFinite }, config);
  const s = pairStats(name, inputs, needsReference);
  const [rw, rl] = policyRewards(s, logps, c.beta);
  const preference = simpoPerPair(s, c.beta, c.gamma).mean();
  return assemble({ preference }, (terms) => standardMetrics(s, logps, rw, rl, terms));
}

/** Config keys of {@link cpoSimpo}. */
export interface CpoSimpoConfig extends SimpoConfig {
  /** Weight of the chosen completion's NLL. */
  alpha?: number;
}

/** CPO-SimPO's defaults: SimPO's paper values plus alpha 1.0. */
export const CPO_SIMPO_DEFAULTS = { ...SIMPO_DEFAULTS, alpha: 1.0 } as const;

/** SimPO plus alpha * NLL of the chosen completion. */
export function cpoSimpo(inputs: PreferenceInputs, config?: CpoSimpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = cpoSimpoSpec;
  const rules = { beta: positive, gamma: anyFinite, alpha: nonNegative };
  const c = resolveConfig(name, CPO_SIMPO_DEFAULTS, rules, config);
  const s = pairStats(name, inputs, needsReference);
  const terms = {
    preference: simpoPerPair(s, c.beta, c.gamma).mean(),
    nll: s.chosen.mean.mean().mul(-c.alpha),
  };
  const [rw, rl] = policyRewards(s, logps, c.beta);
  return assemble(terms, (t) => standardMetrics(s, logps, rw, rl, t));
}

/** SimPO's entry in the loss registry, with TRL's values as the 'simpo-trl' preset. */
export const simpoSpec: LossSpec = {
  name: 'simpo',
  description: 'SimPO, reference-free length-normalised margin (SimPO paper values)',
  formula: '-logsig(beta (lbar_w - lbar_l) - gamma)',
  logps: 'mean',
  needsReference: false,
  defaults: SIMPO_DEFAULTS,
  presets: {
    'simpo-trl': { description: "SimPO with TRL's CPOConfig values (beta 0.1, gamma 0.5)", config: SIMPO_TRL_PRESET },
  },
  fn: simpo,
};

/** CPO-SimPO's entry in the loss registry. */
export const cpoSimpoSpec: LossSpec = {
  name: 'cpoSimpo',
  description: 'CPO-SimPO: SimPO plus NLL (what the SLIME paper ran as SimPO)',
  formula: 'SimPO + alpha NLL(y_w)',
  logps: 'mean',
  needsReference: false,
  defaults: CPO_SIMPO_DEFAULTS,
  fn: cpoSimpo,
};
