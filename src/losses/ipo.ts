// IPO: (h - 1/(2 beta))^2 with h built from MEAN per-token log-probs (policy and reference): a squared loss that
// stops pushing at the target margin 1/(2 beta) instead of driving h to infinity like DPO.

import { resolveConfig, positive } from './config.js';
import { assemble, pairStats, referenceMargin, standardMetrics } from './pairs.js';
import { referenceRewards } from './rewards.js';
import type { LossConfig, LossOutput, PreferenceInputs } from './types.js';

export interface IpoConfig {
  /** The target margin is 1 / (2 beta): a smaller beta asks for a larger margin. */
  beta?: number;
}

export const IPO_DEFAULTS = { beta: 0.1 } as const;

export function ipo(inputs: PreferenceInputs, config?: IpoConfig & LossConfig): LossOutput {
  const c = resolveConfig('ipo', IPO_DEFAULTS, { beta: positive }, config);
  const s = pairStats('ipo', inputs, true);
  const perPair = referenceMargin(s, 'mean').sub(1 / (2 * c.beta)).square();
  const [rw, rl] = referenceRewards(s, 'mean', c.beta);
  return assemble({ preference: perPair.mean() }, (terms) => standardMetrics(s, 'mean', rw, rl, terms));
}
