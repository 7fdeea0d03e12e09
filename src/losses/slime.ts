// SLIME (arXiv 2602.02383, section 4.1): a reference-free objective with three parts.
//   anchor      L_w    = -lambda_w * lbar(y_w)                       keeps the chosen completion likely
//   stabilizer  L_l    = lambda_l * mean over ALL rejected completion tokens in the batch of softplus(-l_t - delta)^p
//                                                                    a floor: it raises rejected tokens that fall
//                                                                    far below -delta, instead of crushing them
//   dual margin L_dist = lambda_d * ReLU(m_h - Delta) * sigma(-kappa (Delta - m_s)),  Delta = lbar_w - lbar_l
//                                                                    a hard margin m_h whose push fades (smoothly,
//                                                                    through the gate) once Delta passes m_s
//   loss = mean over pairs of (L_w + L_dist) + L_l
// The gate is differentiated (not detached), as in the paper. Two switches drop one factor of L_dist for the
// ablations: softMargin 0 holds the gate at 1, hardMargin 0 replaces the hinge ReLU(m_h - Delta) by 1.

import { positive, nonNegative, anyFinite, resolveConfig, withPreset, type KeyRule } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { policyRewards } from './rewards.js';
import type { Tensor } from '../tensor.js';
import type { LossConfig, LossFn, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link slime}. */
export interface SlimeConfig {
  /** Weight of the anchor L_w. */
  lambdaW?: number;
  /** Weight of the stabilizer L_l. */
  lambdaL?: number;
  /** Weight of the dual margin L_dist. */
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
  /** 1 (default): L_dist is gated by sigma(-kappa (Delta - m_s)). 0: the gate is held at 1 (no soft margin). */
  softMargin?: number;
  /** 1 (default): L_dist has the hinge ReLU(m_h - Delta). 0: the hinge is replaced by 1 (no hard margin). */
  hardMargin?: number;
}

/** The paper's values (the margin switches are not parameters of the paper: both are on by default). */
export const SLIME_DEFAULTS = {
  lambdaW: 0.1,
  lambdaL: 0.1,
  lambdaD: 1.0,
  delta: 1.25,
  mHard: 1.5,
  mSoft: 1.0,
  kappa: 2.5,
  p: 2.5,
} as const;

/** The authors' training script: the paper's values except a 200x weaker stabilizer (lambda_l = 0.0005). */
export const SLIME_SCRIPT_PRESET = { ...SLIME_DEFAULTS, lambdaL: 0.0005 } as const;

/** Every key slime accepts, with its default: the paper's values and both margin switches on. */
const SLIME_CONFIG_DEFAULTS = { ...SLIME_DEFAULTS, softMargin: 1, hardMargin: 1 } as const;

const SWITCH: KeyRule = { rule: '0 (off) or 1 (on)', ok: (v) => v === 0 || v === 1 };
const RULES: Record<keyof typeof SLIME_CONFIG_DEFAULTS, KeyRule> = {
  lambdaW: nonNegative,
  lambdaL: nonNegative,
  lambdaD: nonNegative,
  delta: anyFinite,
  mHard: anyFinite,
  mSoft: anyFinite,
  kappa: nonNegative,
  p: positive,
  softMargin: SWITCH,
  hardMargin: SWITCH,
};

/** lambda_d * mean over pairs of hinge * gate, either factor replaceable by 1 (but not both: that is a constant). */
function dualMargin(gap: Tensor, c: Record<keyof typeof SLIME_CONFIG_DEFAULTS, number>): Tensor {
  if (c.softMargin === 0 && c.hardMargin === 0) {
    throw new Error(
      'slime: softMargin and hardMargin cannot both be 0 ' +
        '(the margin term would be the constant lambdaD; set lambdaD to 0 instead)',
    );
  }
  const hinge = c.hardMargin === 1 ? gap.neg().add(c.mHard).relu() : null;
  const gate = c.softMargin === 1 ? gap.sub(c.mSoft).mul(-c.kappa).sigmoid() : null;
  const perPair = hinge && gate ? hinge.mul(gate) : ((hinge ?? gate) as Tensor);
  return perPair.mean().mul(c.lambdaD);
}

/** SLIME with the paper's defaults; any key of SlimeConfig overrides. */
export function slime(inputs: PreferenceInputs, config?: SlimeConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = slimeSpec;
  const c = resolveConfig(name, SLIME_CONFIG_DEFAULTS, RULES, config);
  const s = pairStats(name, inputs, needsReference);
  const gap = s.chosen.mean.sub(s.rejected.mean);
  const rej = s.rejected;
  // pooled: every rejected completion token in the batch weighs the same, whatever its completion's length
  const floor = rej.tokens.neg().sub(c.delta).softplus().pow(c.p).where(rej.mask, 0);
  const terms = {
    anchor: s.chosen.mean.mean().mul(-c.lambdaW),
    stabilizer: floor.sum().div(rej.mask.sum()).mul(c.lambdaL),
    margin: dualMargin(gap, c),
  };
  // SLIME has no beta: its rewards are the plain mean log-probs, so rewards/margins is the mean Delta
  const [rw, rl] = policyRewards(s, logps, 1);
  return assemble(terms, (t) => standardMetrics(s, logps, rw, rl, t));
}

/** SLIME with the authors' training-script values (SLIME_SCRIPT_PRESET); any key of SlimeConfig overrides. */
export const slimeScript: LossFn = withPreset(slime, SLIME_SCRIPT_PRESET);

/** SLIME's entry in the loss registry, with the authors' script values as the 'slime-script' preset. */
export const slimeSpec: LossSpec = {
  name: 'slime',
  description: 'SLIME with the paper defaults: anchor + token-level stabilizer + gated dual margin',
  formula: 'mean(L_w + L_dist) + L_l',
  logps: 'mean',
  needsReference: false,
  defaults: SLIME_CONFIG_DEFAULTS,
  presets: {
    'slime-script': {
      description: "SLIME with the authors' training-script values (lambdaL 0.0005)",
      config: SLIME_SCRIPT_PRESET,
    },
  },
  fn: slime,
};
