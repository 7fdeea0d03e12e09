// IPO: (h - 1/(2 beta))^2 with h built from MEAN per-token log-probs (policy and reference): a squared loss that
// stops pushing at the target margin 1/(2 beta) instead of driving h to infinity like DPO.

import { resolveConfig, positive } from './config.js';
import { assemble, pairStats, referenceMargin, standardMetrics } from './pairs.js';
import { referenceRewards } from './rewards.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link ipo}. */
export interface IpoConfig {
  /** The target margin is 1 / (2 beta): a smaller beta asks for a larger margin. */
  beta?: number;
}

/** IPO's default: beta 0.1 (TRL's DPOConfig value), a target margin of 5 in lbar units. */
export const IPO_DEFAULTS = { beta: 0.1 } as const;

/** (h - 1/(2 beta))^2 on mean per-token log-probs, mean over pairs. */
export function ipo(inputs: PreferenceInputs, config?: IpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = ipoSpec;
  const c = resolveConfig(name, IPO_DEFAULTS, { beta: positive }, config);
  const s = pairStats(name, inputs, needsReference);
  const perPair = referenceMargin(s, logps)
    .sub(1 / (2 * c.beta))
    .square();
  const [rw, rl] = referenceRewards(s, logps, c.beta);
  return assemble({ preference: perPair.mean() }, (terms) => standardMetrics(s, logps, rw, rl, terms));
}

/** IPO's entry in the loss registry. */
export const ipoSpec: LossSpec = {
  name: 'ipo',
  description: 'IPO, squared loss towards the margin 1/(2 beta)',
  formula: '(h - 1/(2 beta))^2',
  logps: 'mean',
  needsReference: true,
  defaults: IPO_DEFAULTS,
  fn: ipo,
};
