// From a language model's logits to the per-token log-probs the losses consume.

import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { maskedLogps } from './pairs.js';

function checkTargets(logits: Tensor, targets: Tensor): void {
  if (logits.rank !== 3) throw new Error(`tokenLogps: logits must be [B, T, V], got ${fmt(logits.shape)}`);
  if (targets.dtype !== 'int32')
    throw new Error(`tokenLogps: targets must be int32 token ids, got ${targets.dtype} ${fmt(targets.shape)}`);
  const [b, t, vocab] = logits.shape;
  if (targets.rank !== 2 || targets.shape[0] !== b || targets.shape[1] !== t) {
    throw new Error(
      `tokenLogps: targets must be [B, T] = [${b}, ${t}] to match logits ${fmt(logits.shape)}, ` +
        `got ${fmt(targets.shape)}`,
    );
  }
  // an out-of-range id would read another row's memory in gather, so it is caught here when the ids are readable
  if (targets.backend.readSync) {
    const ids = targets.dataSync();
    const bad = ids.findIndex((id) => id < 0 || id >= vocab);
    if (bad >= 0)
      throw new Error(`tokenLogps: target id ${ids[bad]} at flat index ${bad} is outside the vocabulary [0, ${vocab})`);
  }
}

/** log p(target_t | ...) for every position: logSoftmax over the vocabulary, then the target's entry. [B, T]. */
export function tokenLogps(logits: Tensor, targets: Tensor): Tensor {
  checkTargets(logits, targets);
  const [b, t] = targets.shape;
  return logits
    .logSoftmax(-1)
    .gather(2, targets.reshape([b, t, 1]))
    .reshape([b, t]);
}

/** Per-sequence reductions of masked per-token log-probs. */
export interface SequenceLogps {
  /** Summed log-prob of the masked tokens per sequence (sum-l), [B]. */
  sum: Tensor;
  /** Mean log-prob per masked token per sequence (lbar), [B]. */
  mean: Tensor;
  /** Number of masked tokens per sequence, [B]. */
  count: Tensor;
}

/** Sum and mean of per-token log-probs [B, T] over a 0/1 mask [B, T]; a row with no masked token is an error. */
export function sequenceLogps(tokens: Tensor, mask: Tensor): SequenceLogps {
  if (tokens.rank !== 2 || tokens.shape.join() !== mask.shape.join()) {
    throw new Error(
      `sequenceLogps: expected per-token log-probs [B, T] and a mask of the same shape, ` +
        `got ${fmt(tokens.shape)} and ${fmt(mask.shape)}`,
    );
  }
  const { sum, mean, count } = maskedLogps(tokens, mask);
  if (count.backend.readSync) {
    const empty = count.dataSync().indexOf(0);
    if (empty >= 0)
      throw new Error(
        `sequenceLogps: row ${empty} of mask ${fmt(mask.shape)} has no completion tokens ` +
          `(an empty completion has no mean log-prob)`,
      );
  }
  return { sum, mean, count };
}
