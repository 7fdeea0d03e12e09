// The shapes every preference loss shares: per-token inputs in, {loss, terms, metrics} out.

import type { Tensor } from '../tensor.js';

/**
 * Per-token log-probs of the completion tokens and their 0/1 masks, all [B, T] (chosen and rejected may have
 * different T). Masked-out positions may hold anything (padding, prompt): the losses never read them.
 * The reference log-probs, when a loss needs them, are per-token too and use the same masks as the policy's.
 */
export interface PreferenceInputs {
  chosenLogps: Tensor;
  chosenMask: Tensor;
  rejectedLogps: Tensor;
  rejectedMask: Tensor;
  refChosenLogps?: Tensor;
  refRejectedLogps?: Tensor;
}

export interface LossOutput {
  /** A scalar tensor: what you call backward() on. */
  loss: Tensor;
  /** The named parts of the loss (scalar, differentiable); they add up to `loss`. */
  terms: Record<string, Tensor>;
  /**
   * Detached scalar diagnostics under TRL's names (rewards/*, logps/*, nll_loss, ORPO's log_odds_*), plus
   * lbar/chosen, lbar/rejected (mean per-token log-prob of a completion, batch-averaged), sumlogp/chosen,
   * sumlogp/rejected (summed log-prob of a completion, batch-averaged) and every term as terms/<name>.
   * logits/* are not reported: a loss sees log-probs, not the model's logits.
   */
  metrics: Record<string, Tensor>;
}

/** Config values are plain numbers; each loss lists the keys it accepts. */
export type LossConfig = Readonly<Record<string, number>>;

export type LossFn = (inputs: PreferenceInputs, config?: LossConfig) => LossOutput;
