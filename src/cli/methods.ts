// The methods the showcase compares, each a loss from the registry at its reference defaults (docs/losses.md),
// plus the SLIME ablations, which are plain configs of the slime loss. Nothing here is tuned per method: the only
// shared knobs (learning rate, steps, batch) live in the command line and apply to every method alike.

import { getLoss } from '../losses/registry.js';
import type { LossConfig } from '../losses/types.js';
import type { PreferenceMethod } from '../train/preference.js';

/** The methods run by default, in report order. */
export const METHOD_NAMES = ['sft', 'dpo', 'ipo', 'simpo', 'cpo-simpo', 'orpo', 'slime'] as const;
/** The SLIME ablations that --ablations adds: each switches off one part of SLIME. */
export const ABLATION_NAMES = [
  'slime-no-anchor',
  'slime-no-stabilizer',
  'slime-no-soft-margin',
  'slime-no-hard-margin',
] as const;
/** Run only when named in --methods, never by default: KTO, for unpaired (KTO) --data files paired by prompt. */
export const OPTIONAL_METHOD_NAMES = ['kto'] as const;

interface Catalogued {
  label: string;
  /** Registry name of the loss. */
  loss: string;
  /** Set only for ablations: the config keys that differ from the loss's defaults. */
  config?: LossConfig;
  /** What the method is; the config values are appended from the registry, never restated here. */
  about: string;
}

const CATALOGUE: Record<string, Catalogued> = {
  sft: {
    label: 'SFT (control)',
    loss: 'sft',
    about: 'continued SFT on the chosen completions: the control that sees no rejected answer',
  },
  dpo: { label: 'DPO', loss: 'dpo', about: 'DPO (sigmoid), reference = the SFT checkpoint' },
  ipo: { label: 'IPO', loss: 'ipo', about: 'IPO, mean log-probs, reference = the SFT checkpoint' },
  simpo: { label: 'SimPO', loss: 'simpo', about: 'SimPO with the SimPO paper values' },
  'cpo-simpo': {
    label: 'CPO-SimPO',
    loss: 'cpoSimpo',
    about: 'SimPO + NLL of the chosen completion: what the SLIME paper ran as "SimPO"',
  },
  orpo: { label: 'ORPO', loss: 'orpo', about: 'ORPO' },
  slime: { label: 'SLIME', loss: 'slime', about: 'SLIME with the paper defaults' },
  kto: {
    label: 'KTO',
    loss: 'kto',
    about: 'KTO on pairs (chosen desirable, rejected undesirable), batch KL baseline, reference = the SFT checkpoint',
  },
  'slime-no-anchor': { label: 'SLIME w/o anchor', loss: 'slime', config: { lambdaW: 0 }, about: 'no anchor term' },
  'slime-no-stabilizer': {
    label: 'SLIME w/o stabilizer',
    loss: 'slime',
    config: { lambdaL: 0 },
    about: 'no stabilizer term',
  },
  'slime-no-soft-margin': {
    label: 'SLIME w/o soft margin',
    loss: 'slime',
    config: { softMargin: 0 },
    about: 'the gate held at 1: margin term lambda_d ReLU(m_h - Delta)',
  },
  'slime-no-hard-margin': {
    label: 'SLIME w/o hard margin',
    loss: 'slime',
    config: { hardMargin: 0 },
    about: 'the hinge removed: margin term lambda_d sigma(-kappa (Delta - m_s))',
  },
};

const formatConfig = (config: LossConfig): string =>
  Object.entries(config)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The report's short name of a method (the name itself if unknown). */
export function methodLabel(name: string): string {
  return CATALOGUE[name]?.label ?? name;
}

/** One line on what a method runs, with the config values it uses (taken from the loss registry). */
export function methodDescription(name: string): string {
  const entry = CATALOGUE[name];
  if (!entry) return name;
  // an ablation is described as its base method with the config keys it changes
  const base = CATALOGUE[entry.loss]?.label ?? entry.loss;
  if (entry.config) return `${base} with ${formatConfig(entry.config)}: ${entry.about}`;
  const defaults = getLoss(entry.loss).defaults;
  return Object.keys(defaults).length === 0 ? entry.about : `${entry.about} (${formatConfig(defaults)})`;
}

/** The loss function and whether it needs reference log-probs, for a method name of METHOD_NAMES/ABLATION_NAMES. */
export function resolveMethod(name: string): PreferenceMethod {
  const entry = CATALOGUE[name];
  if (!entry) throw new Error(`unknown method '${name}' (known: ${Object.keys(CATALOGUE).join(', ')})`);
  const spec = getLoss(entry.loss);
  const config = entry.config;
  return { name, needsReference: spec.needsReference, loss: (inputs) => spec.fn(inputs, config) };
}
