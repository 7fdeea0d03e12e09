// The methods the showcase compares, each a loss from the registry at its reference defaults (losses.md), plus the
// SLIME ablations. Nothing here is tuned per method: the only shared knobs (learning rate, steps, batch) live in
// the command line and apply to every method alike.

import { getLoss } from '../losses/registry.js';
import { slime, SLIME_DEFAULTS } from '../losses/slime.js';
import { sequenceLogps } from '../losses/logprobs.js';
import type { LossOutput, PreferenceInputs } from '../losses/types.js';
import type { PreferenceMethod } from '../train/preference.js';

export const METHOD_NAMES = ['sft', 'dpo', 'ipo', 'simpo', 'cpo-simpo', 'orpo', 'slime'] as const;
export const ABLATION_NAMES = ['slime-no-anchor', 'slime-no-stabilizer', 'slime-no-soft-margin', 'slime-no-hard-margin'] as const;
/** Run only when named in --methods, never by default: KTO, for unpaired (KTO) --data files paired by prompt. */
export const OPTIONAL_METHOD_NAMES = ['kto'] as const;

interface Catalogued {
  label: string;
  /** Registry name of the loss (ablations adjust SLIME's config or its margin term). */
  loss: string;
  /** Set only for ablations: the config keys that differ from the paper defaults. */
  config?: Record<string, number>;
  about: string;
}

// A soft margin with its gate held open: sigma(-kappa (Delta - m_s)) = 1 for any reachable Delta once m_s is huge.
const GATE_OPEN = 1e6;

const CATALOGUE: Record<string, Catalogued> = {
  'sft': { label: 'SFT (control)', loss: 'sft', about: 'continued SFT on the chosen completions: the control that sees no rejected answer' },
  'dpo': { label: 'DPO', loss: 'dpo', about: 'DPO (sigmoid), beta 0.1, reference = the SFT checkpoint' },
  'ipo': { label: 'IPO', loss: 'ipo', about: 'IPO, beta 0.1, mean log-probs, reference = the SFT checkpoint' },
  'simpo': { label: 'SimPO', loss: 'simpo', about: 'SimPO with the SimPO paper values, beta 2.0, gamma 1.0' },
  'cpo-simpo': { label: 'CPO-SimPO', loss: 'cpoSimpo', about: 'SimPO + NLL of the chosen completion (alpha 1.0): what the SLIME paper ran as "SimPO"' },
  'orpo': { label: 'ORPO', loss: 'orpo', about: 'ORPO, beta 0.1' },
  'slime': { label: 'SLIME', loss: 'slime', about: 'SLIME with the paper defaults (lambda_w 0.1, lambda_l 0.1, lambda_d 1, delta 1.25, m_h 1.5, m_s 1, kappa 2.5, p 2.5)' },
  'kto': { label: 'KTO', loss: 'kto', about: 'KTO on pairs (chosen desirable, rejected undesirable), beta 0.1, batch KL baseline, reference = the SFT checkpoint' },
  'slime-no-anchor': { label: 'SLIME w/o anchor', loss: 'slime', config: { lambdaW: 0 }, about: 'SLIME with lambda_w = 0' },
  'slime-no-stabilizer': { label: 'SLIME w/o stabilizer', loss: 'slime', config: { lambdaL: 0 }, about: 'SLIME with lambda_l = 0' },
  'slime-no-soft-margin': { label: 'SLIME w/o soft margin', loss: 'slime', config: { mSoft: GATE_OPEN }, about: 'SLIME with the gate held at 1: margin term lambda_d ReLU(m_h - Delta)' },
  'slime-no-hard-margin': { label: 'SLIME w/o hard margin', loss: 'slime', about: 'SLIME with the hinge removed: margin term lambda_d sigma(-kappa (Delta - m_s))' },
};

/** SLIME whose margin term is the gate alone, lambda_d sigma(-kappa (Delta - m_s)): no hinge, no hard cutoff at m_h. */
function slimeWithoutHardMargin(inputs: PreferenceInputs): LossOutput {
  const rest = slime(inputs, { lambdaD: 0 });
  const chosen = sequenceLogps(inputs.chosenLogps, inputs.chosenMask).mean;
  const rejected = sequenceLogps(inputs.rejectedLogps, inputs.rejectedMask).mean;
  const { lambdaD, kappa, mSoft } = SLIME_DEFAULTS;
  const margin = chosen.sub(rejected).sub(mSoft).mul(-kappa).sigmoid().mean().mul(lambdaD);
  const loss = rest.terms.anchor.add(rest.terms.stabilizer).add(margin);
  return {
    loss,
    terms: { ...rest.terms, margin },
    metrics: { ...rest.metrics, 'terms/margin': margin.detach() },
  };
}

export function methodLabel(name: string): string {
  return CATALOGUE[name]?.label ?? name;
}

export function methodDescription(name: string): string {
  return CATALOGUE[name]?.about ?? name;
}

/** The loss function and whether it needs reference log-probs, for a method name of METHOD_NAMES/ABLATION_NAMES. */
export function resolveMethod(name: string): PreferenceMethod {
  const entry = CATALOGUE[name];
  if (!entry) throw new Error(`unknown method '${name}' (known: ${Object.keys(CATALOGUE).join(', ')})`);
  const spec = getLoss(entry.loss);
  if (name === 'slime-no-hard-margin') return { name, needsReference: false, loss: slimeWithoutHardMargin };
  const config = entry.config;
  return { name, needsReference: spec.needsReference, loss: (inputs) => spec.fn(inputs, config) };
}
