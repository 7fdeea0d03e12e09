// Hinge loss on the reference margin (SLiC-style): ReLU(1 - beta h), zero once beta h >= 1.

import { resolveConfig, positive } from './config.js';
import { assemble, pairStats, referenceMargin, standardMetrics } from './pairs.js';
import { referenceRewards } from './rewards.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link hinge}. */
export interface HingeConfig {
  /** Scale of the margin: the loss is zero once beta h >= 1. */
  beta?: number;
}

/** The hinge loss's default: beta 0.1 (TRL's DPOConfig value). */
export const HINGE_DEFAULTS = { beta: 0.1 } as const;

/** ReLU(1 - beta h), mean over pairs. */
export function hinge(inputs: PreferenceInputs, config?: HingeConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = hingeSpec;
  const c = resolveConfig(name, HINGE_DEFAULTS, { beta: positive }, config);
  const s = pairStats(name, inputs, needsReference);
  const perPair = referenceMargin(s, logps).mul(-c.beta).add(1).relu();
  const [rw, rl] = referenceRewards(s, logps, c.beta);
  return assemble({ preference: perPair.mean() }, (terms) => standardMetrics(s, logps, rw, rl, terms));
}

/** The hinge loss's entry in the loss registry. */
export const hingeSpec: LossSpec = {
  name: 'hinge',
  description: 'hinge loss on the reference margin (SLiC)',
  formula: 'ReLU(1 - beta h)',
  logps: 'sum',
  needsReference: true,
  defaults: HINGE_DEFAULTS,
  fn: hinge,
};
