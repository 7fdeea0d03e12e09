// ORPO: NLL(y_w) - beta * logsig(log_odds), where log_odds compares the odds p / (1 - p) of the two completions
// with p = e^lbar: log_odds = (lbar_w - lbar_l) - [log(1 - e^lbar_w) - log(1 - e^lbar_l)].

import { positive, resolveConfig } from './config.js';
import { assemble, pairStats, standardMetrics } from './pairs.js';
import { policyRewards } from './rewards.js';
import { noGrad } from '../autograd/graph.js';
import type { Tensor } from '../tensor.js';
import type { LossConfig, LossOutput, LossSpec, PreferenceInputs } from './types.js';

/** Config keys of {@link orpo}. */
export interface OrpoConfig {
  /** Weight of the odds-ratio term (lambda in the ORPO paper). */
  beta?: number;
}

/** ORPO's default: beta 0.1 (TRL's ORPOConfig value). */
export const ORPO_DEFAULTS = { beta: 0.1 } as const;

/**
 * lbar is a mean log-prob, so <= 0; at exactly 0 (a completion the model is certain of) log(1 - e^lbar) is -inf.
 * Clamping to just below 0 keeps the log-odds and their gradient finite there and changes nothing elsewhere.
 */
const LBAR_CEILING = -1e-12;

function logOdds(lbar: Tensor): Tensor {
  const safe = lbar.minimum(LBAR_CEILING);
  return safe.sub(safe.log1mexp());
}

/** NLL(y_w) - beta * logsig(log_odds), mean over pairs; no reference model. */
export function orpo(inputs: PreferenceInputs, config?: OrpoConfig & LossConfig): LossOutput {
  const { name, logps, needsReference } = orpoSpec;
  const c = resolveConfig(name, ORPO_DEFAULTS, { beta: positive }, config);
  const s = pairStats(name, inputs, needsReference);
  const odds = logOdds(s.chosen.mean).sub(logOdds(s.rejected.mean));
  const ratio = odds.logSigmoid();
  const terms = {
    nll: s.chosen.mean.mean().neg(),
    orpo: ratio.mean().mul(-c.beta),
  };
  const extra = noGrad(() => ({ log_odds_ratio: ratio.detach().mean(), log_odds_chosen: odds.detach().mean() }));
  const [rw, rl] = policyRewards(s, logps, c.beta);
  return assemble(terms, (t) => standardMetrics(s, logps, rw, rl, t, extra));
}

/** ORPO's entry in the loss registry. */
export const orpoSpec: LossSpec = {
  name: 'orpo',
  description: 'ORPO, NLL plus a log odds-ratio term',
  formula: 'NLL(y_w) - beta logsig(log_odds)',
  logps: 'mean',
  needsReference: false,
  defaults: ORPO_DEFAULTS,
  fn: orpo,
};
