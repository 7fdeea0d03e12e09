// SLIME (arXiv 2602.02383, section 4.1): a reference-free objective with three parts.
//   anchor      L_w    = -lambda_w * lbar(y_w)                       keeps the chosen completion likely
//   stabilizer  L_l    = lambda_l * mean over ALL rejected completion tokens in the batch of softplus(-l_t - delta)^p
//                                                                    a floor: it raises rejected tokens that fall
//                                                                    far below -delta, instead of crushing them
//   dual margin L_dist = lambda_d * ReLU(m_h - Delta) * sigma(-kappa (Delta - m_s)),  Delta = lbar_w - lbar_l
//                                                                    a hard margin m_h whose push fades (smoothly,
//                                                                    through the gate) once Delta passes m_s
//   loss = mean over pairs of (L_w + L_dist) + L_l
// The gate is differentiated (not detached), as in the paper.

import { positive, nonNegative, anyFinite, resolveConfig, type KeyRule } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { policyRewards } from './rewards.js';
import type { LossConfig, LossOutput, PreferenceInputs } from './types.js';

export interface SlimeConfig {
  lambdaW?: number;
  lambdaL?: number;
  lambdaD?: number;
  /** The stabilizer's floor: rejected tokens with l_t well below -delta are pushed back up. */
  delta?: number;
  /** Hard margin m_h: L_dist is exactly 0 once Delta >= mHard. */
  mHard?: number;
  /** Soft margin m_s: the gate's midpoint. */
  mSoft?: number;
  /** Steepness of the gate. */
  kappa?: number;
  /** Exponent of the stabilizer's softplus. */
  p?: number;
}

/** The paper's values. */
export const SLIME_DEFAULTS = {
  lambdaW: 0.1, lambdaL: 0.1, lambdaD: 1.0, delta: 1.25, mHard: 1.5, mSoft: 1.0, kappa: 2.5, p: 2.5,
} as const;

/** The authors' training script: the paper's values except a 200x weaker stabilizer (lambda_l = 0.0005). */
export const SLIME_SCRIPT_PRESET = { ...SLIME_DEFAULTS, lambdaL: 0.0005 } as const;

const RULES: Record<keyof typeof SLIME_DEFAULTS, KeyRule> = {
  lambdaW: nonNegative, lambdaL: nonNegative, lambdaD: nonNegative, delta: anyFinite,
  mHard: anyFinite, mSoft: anyFinite, kappa: nonNegative, p: positive,
};

function slimeWith(name: string, defaults: Readonly<Record<keyof typeof SLIME_DEFAULTS, number>>, inputs: PreferenceInputs, config?: LossConfig): LossOutput {
  const c = resolveConfig(name, defaults, RULES, config);
  const s = pairStats(name, inputs, false);
  const gap = s.chosen.mean.sub(s.rejected.mean);
  const gate = gap.sub(c.mSoft).mul(-c.kappa).sigmoid();
  const rej = s.rejected;
  // pooled: every rejected completion token in the batch weighs the same, whatever its completion's length
  const floor = rej.tokens.neg().sub(c.delta).softplus().pow(c.p).where(rej.mask, 0);
  const terms = {
    anchor: s.chosen.mean.mean().mul(-c.lambdaW),
    stabilizer: floor.sum().div(rej.mask.sum()).mul(c.lambdaL),
    margin: gap.neg().add(c.mHard).relu().mul(gate).mean().mul(c.lambdaD),
  };
  // SLIME has no beta: its rewards are the plain mean log-probs, so rewards/margins is the mean Delta
  const [rw, rl] = policyRewards(s, 'mean', 1);
  return assemble(terms, (t) => standardMetrics(s, 'mean', rw, rl, t));
}

/** SLIME with the paper's defaults; any key of SlimeConfig overrides. */
export function slime(inputs: PreferenceInputs, config?: SlimeConfig & LossConfig): LossOutput {
  return slimeWith('slime', SLIME_DEFAULTS, inputs, config);
}

/** SLIME with the authors' training-script values (SLIME_SCRIPT_PRESET); any key of SlimeConfig overrides. */
export function slimeScript(inputs: PreferenceInputs, config?: SlimeConfig & LossConfig): LossOutput {
  return slimeWith('slimeScript', SLIME_SCRIPT_PRESET, inputs, config);
}
