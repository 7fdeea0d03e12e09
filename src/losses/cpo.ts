// CPO: -logsig(beta (sum-l_w - sum-l_l)) + alpha * NLL(y_w). Reference-free; the NLL term keeps the chosen
// completion likely while the preference term separates the pair.

import { nonNegative, positive, resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { policyRewards } from './rewards.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link cpo}. */
export interface CpoConfig {
  /** Scale of the summed log-prob gap. */
  beta?: number;
  /** Weight of the chosen completion's NLL. */
  alpha?: number;
}

/** CPO's defaults (TRL's CPOConfig values): beta 0.1, alpha 1.0. */
export const CPO_DEFAULTS = { beta: 0.1, alpha: 1.0 } as const;

/** -logsig(beta (sum-l_w - sum-l_l)) + alpha * NLL(y_w), mean over pairs; no reference model. */
export function cpo(inputs: PreferenceInputs, config?: CpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = cpoSpec;
  const c = resolveConfig(name, CPO_DEFAULTS, { beta: positive, alpha: nonNegative }, config);
  const s = pairStats(name, inputs, needsReference);
  const terms = {
    preference: s.chosen.sum.sub(s.rejected.sum).mul(c.beta).logSigmoid().neg().mean(),
    nll: s.chosen.mean.mean().mul(-c.alpha),
  };
  const [rw, rl] = policyRewards(s, logps, c.beta);
  return assemble(terms, (t) => standardMetrics(s, logps, rw, rl, t));
}

/** CPO's entry in the loss registry. */
export const cpoSpec: LossSpec = {
  name: 'cpo',
  description: 'CPO, reference-free sigmoid margin plus NLL of the chosen completion',
  formula: '-logsig(beta (sum-l_w - sum-l_l)) + alpha NLL(y_w)',
  logps: 'sum',
  needsReference: false,
  defaults: CPO_DEFAULTS,
  fn: cpo,
};
