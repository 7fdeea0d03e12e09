// What every preference loss does first: check the per-token inputs, then reduce each completion to its summed
// and mean log-prob (sum-l and lbar in docs/losses.md). Also the TRL-named metrics most losses share.

import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/graph.js';
import { fmt } from '../shape.js';
import type { LogpKind, LossOutput, PreferenceInputs } from './types.js';

/** One side (chosen or rejected, policy or reference) of a batch of completions. */
export interface CompletionStats {
  /** Per-token log-probs with masked positions set to 0 (so padding values can never leak in): [B, T]. */
  tokens: Tensor;
  /** The 0/1 mask in the log-probs' dtype: [B, T]. */
  mask: Tensor;
  /** sum-l: summed log-prob per completion, [B]. */
  sum: Tensor;
  /** lbar: mean per-token log-prob per completion, [B]. */
  mean: Tensor;
  /** Number of completion tokens per completion, [B]. */
  count: Tensor;
}

export interface PairStats {
  chosen: CompletionStats;
  rejected: CompletionStats;
  refChosen?: CompletionStats;
  refRejected?: CompletionStats;
}

/**
 * The masked reductions every loss starts from: log-probs with masked positions set to 0, then their sum and mean
 * per row. The mask is cast to the log-probs' dtype. Callers check that each row has a token (no 0/0 mean).
 */
export function maskedLogps(logps: Tensor, mask: Tensor): CompletionStats {
  const m = mask.astype(logps.dtype); // the mask itself when it already has that dtype (no copy)
  const tokens = logps.where(m, 0);
  const sum = tokens.sum(1);
  const count = m.sum(1);
  return { tokens, mask: m, sum, mean: sum.div(count), count };
}

/**
 * Checks a mask's values when they can be read synchronously (CPU): 0/1 only, at least one completion token per
 * row. An empty completion has no mean log-prob, so it is an input error rather than a NaN. (On backends without
 * synchronous reads, buildPreferenceBatch has already refused empty completions when it built the masks.)
 */
function checkMaskValues(loss: string, name: string, mask: Tensor): void {
  if (!mask.backend.readSync) return;
  const values = mask.dataSync();
  const [rows, cols] = mask.shape;
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      if (v !== 0 && v !== 1) throw new Error(`${loss}: ${name} must hold only 0 and 1, got ${v} at [${r}, ${c}]`);
      count += v;
    }
    if (count === 0) {
      throw new Error(
        `${loss}: ${name} row ${r} has no completion tokens ` +
          `(an empty completion has no log-prob per token; drop the pair or give it at least one token)`,
      );
    }
  }
}

function checkTensor(loss: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor))
    throw new Error(`${loss}: input '${name}' must be a Tensor [B, T], got ${t === undefined ? 'nothing' : typeof t}`);
  if (t.rank !== 2) throw new Error(`${loss}: input '${name}' must be [B, T] (per-token values), got ${fmt(t.shape)}`);
}

function checkFloat(loss: string, name: string, logps: Tensor): void {
  if (logps.dtype === 'int32')
    throw new Error(`${loss}: ${name} must be float log-probs, got int32 ${fmt(logps.shape)}`);
}

function completion(
  loss: string,
  side: string,
  logps: Tensor,
  mask: Tensor,
  logpsName: string,
  maskName: string,
): CompletionStats {
  checkTensor(loss, logpsName, logps);
  checkTensor(loss, maskName, mask);
  checkFloat(loss, logpsName, logps);
  if (logps.shape.join() !== mask.shape.join()) {
    throw new Error(
      `${loss}: ${logpsName} ${fmt(logps.shape)} and ${maskName} ${fmt(mask.shape)} ` +
        `must have the same shape (${side} completions)`,
    );
  }
  checkMaskValues(loss, maskName, mask);
  return maskedLogps(logps, mask);
}

/** Validates the inputs and reduces them; `needsReference` makes missing reference log-probs an error. */
export function pairStats(loss: string, inputs: PreferenceInputs, needsReference: boolean): PairStats {
  if (typeof inputs !== 'object' || inputs === null)
    throw new Error(`${loss}: inputs must be an object {chosenLogps, chosenMask, rejectedLogps, rejectedMask, ...}`);
  const { chosenLogps, chosenMask, rejectedLogps, rejectedMask, refChosenLogps, refRejectedLogps } = inputs;
  const chosen = completion(loss, 'chosen', chosenLogps, chosenMask, 'chosenLogps', 'chosenMask');
  const rejected = completion(loss, 'rejected', rejectedLogps, rejectedMask, 'rejectedLogps', 'rejectedMask');
  if (chosenLogps.shape[0] !== rejectedLogps.shape[0]) {
    throw new Error(
      `${loss}: chosen and rejected must hold the same number of pairs, ` +
        `got chosenLogps ${fmt(chosenLogps.shape)} and rejectedLogps ${fmt(rejectedLogps.shape)}`,
    );
  }
  if (!needsReference) return { chosen, rejected };
  if (refChosenLogps === undefined || refRejectedLogps === undefined) {
    const missing = [
      refChosenLogps === undefined && 'refChosenLogps',
      refRejectedLogps === undefined && 'refRejectedLogps',
    ].filter(Boolean);
    throw new Error(
      `${loss}: needs the reference model's log-probs ` +
        `(refChosenLogps and refRejectedLogps, per-token [B, T], computed without gradient); ` +
        `missing ${missing.join(' and ')}`,
    );
  }
  checkTensor(loss, 'refChosenLogps', refChosenLogps);
  checkTensor(loss, 'refRejectedLogps', refRejectedLogps);
  for (const [name, ref, policy] of [
    ['refChosenLogps', refChosenLogps, chosenLogps],
    ['refRejectedLogps', refRejectedLogps, rejectedLogps],
  ] as const) {
    if (ref.shape.join() !== policy.shape.join()) {
      throw new Error(
        `${loss}: ${name} ${fmt(ref.shape)} must match the policy's ${fmt(policy.shape)} ` +
          `(the reference uses the same masks)`,
      );
    }
    checkFloat(loss, name, ref);
  }
  // the masks were checked with the policy's log-probs, so they are not read again here. The reference is a fixed
  // target: no gradient flows into it even if the caller forgot noGrad
  const refChosen = maskedLogps(refChosenLogps.detach(), chosenMask);
  const refRejected = maskedLogps(refRejectedLogps.detach(), rejectedMask);
  return { chosen, rejected, refChosen, refRejected };
}

export const pick = (c: CompletionStats, kind: LogpKind): Tensor => (kind === 'sum' ? c.sum : c.mean);

/** h = (logp_w - logp_l) - (ref_w - ref_l), with logp summed or averaged per completion. */
export function referenceMargin(s: PairStats, kind: LogpKind): Tensor {
  if (!s.refChosen || !s.refRejected) throw new Error('referenceMargin: reference log-probs were not prepared');
  return pick(s.chosen, kind)
    .sub(pick(s.rejected, kind))
    .sub(pick(s.refChosen, kind).sub(pick(s.refRejected, kind)));
}

/**
 * The diagnostics: rewards/* from the per-pair rewards (beta * (logp - ref) for reference losses, beta * logp for
 * reference-free ones), logps/* in the loss's own kind, lbar/* and sumlogp/* always, and every term as terms/<name>.
 * Everything is detached: metrics are for logging, never for backward.
 */
export function standardMetrics(
  s: PairStats,
  kind: LogpKind,
  chosenReward: Tensor,
  rejectedReward: Tensor,
  terms: Record<string, Tensor>,
  extra: Record<string, Tensor> = {},
): Record<string, Tensor> {
  return noGrad(() => {
    const rw = chosenReward.detach();
    const rl = rejectedReward.detach();
    const metrics: Record<string, Tensor> = {
      'rewards/chosen': rw.mean(),
      'rewards/rejected': rl.mean(),
      'rewards/accuracies': rw.gt(rl).mean(),
      'rewards/margins': rw.sub(rl).mean(),
      'logps/chosen': pick(s.chosen, kind).detach().mean(),
      'logps/rejected': pick(s.rejected, kind).detach().mean(),
      nll_loss: s.chosen.mean.detach().mean().neg(),
      'lbar/chosen': s.chosen.mean.detach().mean(),
      'lbar/rejected': s.rejected.mean.detach().mean(),
      'sumlogp/chosen': s.chosen.sum.detach().mean(),
      'sumlogp/rejected': s.rejected.sum.detach().mean(),
    };
    for (const [name, t] of Object.entries(extra)) metrics[name] = t.detach();
    for (const [name, t] of Object.entries(terms)) metrics[`terms/${name}`] = t.detach();
    return metrics;
  });
}

/** Assembles the output: the loss is the sum of the terms, so the two can never disagree. */
export function assemble(
  terms: Record<string, Tensor>,
  metrics: (terms: Record<string, Tensor>) => Record<string, Tensor>,
): LossOutput {
  const loss = Object.values(terms).reduce((a, b) => a.add(b));
  return { loss, terms, metrics: metrics(terms) };
}
