// SFT / NLL: -lbar(y_w), the token-mean cross-entropy of the chosen completion, averaged over pairs. The rejected
// completion is optional: when given, it is only measured (its log-probs are logged), never trained on.

import { resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { policyRewards } from './rewards.js';
import { noGrad } from '../autograd/graph.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** The chosen side is required; a rejected side, when given, is only measured. */
export type SftInputs = Pick<PreferenceInputs, 'chosenLogps' | 'chosenMask'> & Partial<PreferenceInputs>;

/** -lbar(y_w) averaged over pairs; accepts no config keys. */
export function sft(inputs: SftInputs, config?: LossConfig): LossOutput {
  resolveConfig(sftSpec.name, sftSpec.defaults, {}, config);
  const withRejected = inputs.rejectedLogps !== undefined || inputs.rejectedMask !== undefined;
  // without a rejected side, the chosen one stands in for it so the shared checks and reductions apply unchanged
  const full: PreferenceInputs = withRejected
    ? (inputs as PreferenceInputs)
    : { ...inputs, rejectedLogps: inputs.chosenLogps, rejectedMask: inputs.chosenMask };
  const s = pairStats(sftSpec.name, full, sftSpec.needsReference);
  const terms = { nll: s.chosen.mean.mean().neg() };
  if (withRejected) {
    // SFT has no beta: its rewards are the plain mean log-probs, so rewards/margins reads as lbar_w - lbar_l
    const [rw, rl] = policyRewards(s, sftSpec.logps, 1);
    return assemble(terms, (t) => standardMetrics(s, sftSpec.logps, rw, rl, t));
  }
  return assemble(terms, (t) =>
    noGrad(() => ({
      'logps/chosen': s.chosen.mean.detach().mean(),
      nll_loss: s.chosen.mean.detach().mean().neg(),
      'lbar/chosen': s.chosen.mean.detach().mean(),
      'sumlogp/chosen': s.chosen.sum.detach().mean(),
      'terms/nll': t.nll.detach(),
    })),
  );
}

/** SFT's entry in the loss registry. */
export const sftSpec: LossSpec = {
  name: 'sft',
  description: 'supervised fine-tuning on the chosen completion (NLL)',
  formula: '-lbar(y_w)',
  logps: 'mean',
  needsReference: false,
  defaults: {},
  fn: sft,
};
