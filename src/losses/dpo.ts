// DPO (sigmoid) with label smoothing (cDPO), and robust DPO: losses of the reference margin
// h = (sum-l_w - sum-l_l) - (ref_w - ref_l).

import { resolveConfig, positive, type KeyRule } from './config.js';
import { assemble, pairStats, referenceMargin, standardMetrics } from './pairs.js';
import { referenceRewards } from './rewards.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of dpo and robust. */
export interface DpoConfig {
  /** Inverse temperature of the implicit reward. */
  beta?: number;
  /** eps: the assumed probability that a pair's preference label is flipped (cDPO when > 0). */
  labelSmoothing?: number;
}

/** DPO's defaults (TRL's DPOConfig values): beta 0.1, no label smoothing. */
export const DPO_DEFAULTS = { beta: 0.1, labelSmoothing: 0 } as const;
const DPO_RULES: Record<keyof typeof DPO_DEFAULTS, KeyRule> = {
  beta: positive,
  labelSmoothing: { rule: 'in [0, 0.5]', ok: (v) => v >= 0 && v <= 0.5 },
};

/**
 * -(1 - eps) logsig(beta h) - eps logsig(-beta h), mean over pairs. Its gradient in h is beta sigma(-beta h) at
 * eps 0.
 */
export function dpo(inputs: PreferenceInputs, config?: DpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = dpoSpec;
  const c = resolveConfig(name, DPO_DEFAULTS, DPO_RULES, config);
  const s = pairStats(name, inputs, needsReference);
  const z = referenceMargin(s, logps).mul(c.beta);
  let perPair = z.logSigmoid().mul(-(1 - c.labelSmoothing));
  if (c.labelSmoothing > 0) perPair = perPair.sub(z.neg().logSigmoid().mul(c.labelSmoothing));
  const [rw, rl] = referenceRewards(s, logps, c.beta);
  return assemble({ preference: perPair.mean() }, (terms) => standardMetrics(s, logps, rw, rl, terms));
}

/** Robust DPO's defaults: beta 0.1, no assumed label noise (then it equals DPO). */
export const ROBUST_DEFAULTS = { beta: 0.1, labelSmoothing: 0 } as const;
const ROBUST_RULES: Record<keyof typeof ROBUST_DEFAULTS, KeyRule> = {
  beta: positive,
  // at eps = 0.5 the labels carry no information and the normaliser 1 / (1 - 2 eps) is infinite
  labelSmoothing: { rule: 'in [0, 0.5)', ok: (v) => v >= 0 && v < 0.5 },
};

/**
 * Robust DPO: [-(1 - eps) logsig(beta h) + eps logsig(-beta h)] / (1 - 2 eps), an unbiased loss under label
 * noise eps.
 */
export function robust(inputs: PreferenceInputs, config?: DpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = robustSpec;
  const c = resolveConfig(name, ROBUST_DEFAULTS, ROBUST_RULES, config);
  const s = pairStats(name, inputs, needsReference);
  const z = referenceMargin(s, logps).mul(c.beta);
  const eps = c.labelSmoothing;
  const perPair = z
    .logSigmoid()
    .mul(-(1 - eps))
    .add(z.neg().logSigmoid().mul(eps))
    .div(1 - 2 * eps);
  const [rw, rl] = referenceRewards(s, logps, c.beta);
  return assemble({ preference: perPair.mean() }, (terms) => standardMetrics(s, logps, rw, rl, terms));
}

/** DPO's entry in the loss registry. */
export const dpoSpec: LossSpec = {
  name: 'dpo',
  description: 'DPO, sigmoid loss; labelSmoothing > 0 gives cDPO',
  formula: '-(1-eps) logsig(beta h) - eps logsig(-beta h)',
  logps: 'sum',
  needsReference: true,
  defaults: DPO_DEFAULTS,
  fn: dpo,
};

/** Robust DPO's entry in the loss registry. */
export const robustSpec: LossSpec = {
  name: 'robust',
  description: 'robust DPO, unbiased under label noise eps',
  formula: '[-(1-eps) logsig(beta h) + eps logsig(-beta h)] / (1 - 2 eps)',
  logps: 'sum',
  needsReference: true,
  defaults: ROBUST_DEFAULTS,
  fn: robust,
};
