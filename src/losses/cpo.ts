// CPO: -logsig(beta (sum-l_w - sum-l_l)) + alpha * NLL(y_w). Reference-free; the NLL term keeps the chosen
// completion likely while the preference term separates the pair.

import { nonNegative, positive, resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { policyRewards } from './rewards.js';
import type { LossConfig, LossOutput, PreferenceInputs } from './types.js';

export interface CpoConfig {
  beta?: number;
  alpha?: number;
}

export const CPO_DEFAULTS = { beta: 0.1, alpha: 1.0 } as const;

export function cpo(inputs: PreferenceInputs, config?: CpoConfig & LossConfig): LossOutput {
  const c = resolveConfig('cpo', CPO_DEFAULTS, { beta: positive, alpha: nonNegative }, config);
  const s = pairStats('cpo', inputs, false);
  const terms = {
    preference: s.chosen.sum.sub(s.rejected.sum).mul(c.beta).logSigmoid().neg().mean(),
    nll: s.chosen.mean.mean().mul(-c.alpha),
  };
  const [rw, rl] = policyRewards(s, 'sum', c.beta);
  return assemble(terms, (t) => standardMetrics(s, 'sum', rw, rl, t));
}
