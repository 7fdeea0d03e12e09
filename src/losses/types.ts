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

/** What every loss returns: the scalar loss, its named terms and detached metrics. */
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

/** A preference loss: per-token inputs and an optional config in, {loss, terms, metrics} out. */
export type LossFn = (inputs: PreferenceInputs, config?: LossConfig) => LossOutput;

/** How a loss scores a completion: summed log-prob (sum-l) or mean per-token log-prob (lbar). */
export type LogpKind = 'sum' | 'mean';

/** Named config values for a loss, registered as a loss of its own (e.g. 'simpo-trl', 'slime-script'). */
export interface LossPreset {
  /** What the preset is and where its values come from. */
  description: string;
  /** The config keys that differ from the loss's defaults. */
  config: LossConfig;
}

/**
 * Everything a caller needs to know about a loss without reading its body: each loss file exports one, the loss
 * body reads its own spec's `logps` and `needsReference`, and losses/registry.ts is built from the specs.
 */
export interface LossSpec {
  /** Registry name (also the prefix of the loss's error messages). */
  name: string;
  /** One line: what the loss is. */
  description: string;
  /** The per-pair formula, in the notation of docs/losses.md. */
  formula: string;
  /** Whether completions are scored by summed ('sum') or mean per-token ('mean') log-probs. */
  logps: LogpKind;
  /** Whether the loss needs the reference model's log-probs (refChosenLogps, refRejectedLogps). */
  needsReference: boolean;
  /** Every config key the loss accepts, with its default value. */
  defaults: LossConfig;
  /** Other named sets of values; the registry lists each as a loss of its own. */
  presets?: Readonly<Record<string, LossPreset>>;
  fn: LossFn;
}
