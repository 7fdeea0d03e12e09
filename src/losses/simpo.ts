// SimPO: a reference-free margin on MEAN per-token log-probs, -logsig(beta (lbar_w - lbar_l) - gamma), and
// CPO-SimPO (SimPO plus alpha * NLL of the chosen completion: what the SLIME paper ran as "SimPO").

import { anyFinite, nonNegative, positive, resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics, type PairStats } from './pairs.js';
import { policyRewards } from './rewards.js';
import type { Tensor } from '../tensor.js';
import type { LossConfig, LossOutput, PreferenceInputs } from './types.js';

export interface SimpoConfig {
  beta?: number;
  /** The target reward margin: the loss keeps pushing until beta * (lbar_w - lbar_l) is well past gamma. */
  gamma?: number;
}

/** The SimPO paper's values (gamma / beta = 0.5). */
export const SIMPO_DEFAULTS = { beta: 2.0, gamma: 1.0 } as const;
/** TRL's CPOConfig values for loss_type 'simpo': gamma / beta = 5, a far larger margin in lbar units than the paper's 0.5. */
export const SIMPO_TRL_PRESET = { beta: 0.1, gamma: 0.5 } as const;

function simpoPerPair(s: PairStats, beta: number, gamma: number): Tensor {
  return s.chosen.mean.sub(s.rejected.mean).mul(beta).sub(gamma).logSigmoid().neg();
}

export function simpo(inputs: PreferenceInputs, config?: SimpoConfig & LossConfig): LossOutput {
  const c = resolveConfig('simpo', SIMPO_DEFAULTS, { beta: positive, gamma: anyFinite }, config);
  const s = pairStats('simpo', inputs, false);
  const [rw, rl] = policyRewards(s, 'mean', c.beta);
  return assemble({ preference: simpoPerPair(s, c.beta, c.gamma).mean() }, (terms) => standardMetrics(s, 'mean', rw, rl, terms));
}

export interface CpoSimpoConfig extends SimpoConfig {
  /** Weight of the chosen completion's NLL. */
  alpha?: number;
}

export const CPO_SIMPO_DEFAULTS = { ...SIMPO_DEFAULTS, alpha: 1.0 } as const;

export function cpoSimpo(inputs: PreferenceInputs, config?: CpoSimpoConfig & LossConfig): LossOutput {
  const c = resolveConfig('cpoSimpo', CPO_SIMPO_DEFAULTS, { beta: positive, gamma: anyFinite, alpha: nonNegative }, config);
  const s = pairStats('cpoSimpo', inputs, false);
  const terms = {
    preference: simpoPerPair(s, c.beta, c.gamma).mean(),
    nll: s.chosen.mean.mean().mul(-c.alpha),
  };
  const [rw, rl] = policyRewards(s, 'mean', c.beta);
  return assemble(terms, (t) => standardMetrics(s, 'mean', rw, rl, t));
}
