// KTO on paired data: the chosen completion is a desirable example, the rejected one an undesirable example.
//   desirable   lambda_D (1 - sigma(beta (r - z0)))      undesirable   lambda_U (1 - sigma(beta (z0 - r)))
//   r = sum-l - ref sum-l;  z0 = max(0, batch KL estimate), detached (a baseline, not something to optimise)
// The loss is the mean over all 2B completions. TRL estimates the KL from mismatched (prompt, other completion)
// pairs; these inputs hold only matched pairs, so z0 here is the batch mean of r over all completions.

import { nonNegative, positive, resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { referenceRewards } from './rewards.js';
import { noGrad } from '../autograd/graph.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link kto}. */
export interface KtoConfig {
  /** Scale of the reward relative to the baseline. */
  beta?: number;
  /** Weight of desirable (chosen) examples. */
  lambdaD?: number;
  /** Weight of undesirable (rejected) examples. */
  lambdaU?: number;
}

/** KTO's defaults (TRL's KTOConfig values): beta 0.1, both weights 1. */
export const KTO_DEFAULTS = { beta: 0.1, lambdaD: 1.0, lambdaU: 1.0 } as const;

/** Mean over the 2B completions of lambda_D (1 - sigma(beta (r - z0))) or lambda_U (1 - sigma(beta (z0 - r))). */
export function kto(inputs: PreferenceInputs, config?: KtoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = ktoSpec;
  const c = resolveConfig(name, KTO_DEFAULTS, { beta: positive, lambdaD: nonNegative, lambdaU: nonNegative }, config);
  const s = pairStats(name, inputs, needsReference);
  const [rw, rl] = referenceRewards(s, logps, 1);
  const z0 = noGrad(() => rw.detach().add(rl.detach()).mean().mul(0.5).maximum(0));
  const desirable = rw.sub(z0).mul(c.beta).sigmoid().neg().add(1).mul(c.lambdaD);
  const undesirable = z0.sub(rl).mul(c.beta).sigmoid().neg().add(1).mul(c.lambdaU);
  // each half is averaged over B and weighted 1/2: together, the mean over the 2B completions
  const terms = { desirable: desirable.mean().mul(0.5), undesirable: undesirable.mean().mul(0.5) };
  const [bw, bl] = referenceRewards(s, logps, c.beta);
  return assemble(terms, (t) => standardMetrics(s, logps, bw, bl, t, { kl: z0 }));
}

/** KTO's entry in the loss registry. */
export const ktoSpec: LossSpec = {
  name: 'kto',
  description: 'KTO on pairs: chosen desirable, rejected undesirable, batch KL baseline',
  formula: 'lambda_D (1 - sigma(beta (r - z0))) | lambda_U (1 - sigma(beta (z0 - r)))',
  logps: 'sum',
  needsReference: true,
  defaults: KTO_DEFAULTS,
  fn: kto,
};
