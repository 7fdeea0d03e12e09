// Losses by name, for CLIs and config files: what each one is, its defaults, and whether it needs a reference model.

import { dpo, robust, DPO_DEFAULTS, ROBUST_DEFAULTS } from './dpo.js';
import { hinge, HINGE_DEFAULTS } from './hinge.js';
import { ipo, IPO_DEFAULTS } from './ipo.js';
import { simpo, cpoSimpo, SIMPO_DEFAULTS, SIMPO_TRL_PRESET, CPO_SIMPO_DEFAULTS } from './simpo.js';
import { cpo, CPO_DEFAULTS } from './cpo.js';
import { orpo, ORPO_DEFAULTS } from './orpo.js';
import { sft } from './sft.js';
import { slime, slimeScript, SLIME_DEFAULTS, SLIME_SCRIPT_PRESET } from './slime.js';
import { kto, KTO_DEFAULTS } from './kto.js';
import type { LossConfig, LossFn } from './types.js';

export interface LossSpec {
  name: string;
  description: string;
  /** The per-pair formula, as in losses.md. */
  formula: string;
  /** Whether completions are scored by summed ('sum') or mean per-token ('mean') log-probs. */
  logps: 'sum' | 'mean';
  needsReference: boolean;
  defaults: LossConfig;
  fn: LossFn;
}

const withPreset = (fn: LossFn, preset: LossConfig): LossFn => (inputs, config) => fn(inputs, { ...preset, ...config });

const specs: LossSpec[] = [
  { name: 'sft', description: 'supervised fine-tuning on the chosen completion (NLL)', formula: '-lbar(y_w)', logps: 'mean', needsReference: false, defaults: {}, fn: sft },
  { name: 'dpo', description: 'DPO, sigmoid loss; labelSmoothing > 0 gives cDPO', formula: '-(1-eps) logsig(beta h) - eps logsig(-beta h)', logps: 'sum', needsReference: true, defaults: DPO_DEFAULTS, fn: dpo },
  { name: 'robust', description: 'robust DPO, unbiased under label noise eps', formula: '[-(1-eps) logsig(beta h) + eps logsig(-beta h)] / (1 - 2 eps)', logps: 'sum', needsReference: true, defaults: ROBUST_DEFAULTS, fn: robust },
  { name: 'hinge', description: 'hinge loss on the reference margin (SLiC)', formula: 'ReLU(1 - beta h)', logps: 'sum', needsReference: true, defaults: HINGE_DEFAULTS, fn: hinge },
  { name: 'ipo', description: 'IPO, squared loss towards the margin 1/(2 beta)', formula: '(h - 1/(2 beta))^2', logps: 'mean', needsReference: true, defaults: IPO_DEFAULTS, fn: ipo },
  { name: 'simpo', description: 'SimPO, reference-free length-normalised margin (SimPO paper values)', formula: '-logsig(beta (lbar_w - lbar_l) - gamma)', logps: 'mean', needsReference: false, defaults: SIMPO_DEFAULTS, fn: simpo },
  { name: 'simpo-trl', description: "SimPO with TRL's CPOConfig values (beta 0.1, gamma 0.5)", formula: '-logsig(beta (lbar_w - lbar_l) - gamma)', logps: 'mean', needsReference: false, defaults: SIMPO_TRL_PRESET, fn: withPreset(simpo, SIMPO_TRL_PRESET) },
  { name: 'cpo', description: 'CPO, reference-free sigmoid margin plus NLL of the chosen completion', formula: '-logsig(beta (sum-l_w - sum-l_l)) + alpha NLL(y_w)', logps: 'sum', needsReference: false, defaults: CPO_DEFAULTS, fn: cpo },
  { name: 'cpoSimpo', description: 'CPO-SimPO: SimPO plus NLL (what the SLIME paper ran as SimPO)', formula: 'SimPO + alpha NLL(y_w)', logps: 'mean', needsReference: false, defaults: CPO_SIMPO_DEFAULTS, fn: cpoSimpo },
  { name: 'orpo', description: 'ORPO, NLL plus a log odds-ratio term', formula: 'NLL(y_w) - beta logsig(log_odds)', logps: 'mean', needsReference: false, defaults: ORPO_DEFAULTS, fn: orpo },
  { name: 'slime', description: 'SLIME with the paper defaults: anchor + token-level stabilizer + gated dual margin', formula: 'mean(L_w + L_dist) + L_l', logps: 'mean', needsReference: false, defaults: SLIME_DEFAULTS, fn: slime },
  { name: 'slime-script', description: "SLIME with the authors' training-script values (lambdaL 0.0005)", formula: 'mean(L_w + L_dist) + L_l', logps: 'mean', needsReference: false, defaults: SLIME_SCRIPT_PRESET, fn: slimeScript },
  { name: 'kto', description: 'KTO on pairs: chosen desirable, rejected undesirable, batch KL baseline', formula: 'lambda_D (1 - sigma(beta (r - z0))) | lambda_U (1 - sigma(beta (z0 - r)))', logps: 'sum', needsReference: true, defaults: KTO_DEFAULTS, fn: kto },
];

export const registry: ReadonlyMap<string, LossSpec> = new Map(specs.map((s) => [s.name, s]));

export function lossNames(): string[] {
  return [...registry.keys()];
}

/** The spec of a loss by name; an unknown name lists the known ones. */
export function getLoss(name: string): LossSpec {
  const spec = registry.get(name);
  if (!spec) throw new Error(`losses: unknown loss '${name}' (known: ${lossNames().join(', ')})`);
  return spec;
}
