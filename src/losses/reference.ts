// Reference-model log-probs: computed without gradient (the reference is frozen) and cacheable per example, since
// a frozen model gives the same numbers every epoch.

import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { noGrad } from '../autograd/graph.js';
import { tokenLogps } from './logprobs.js';
import type { PreferenceBatch, SequenceBatch } from './batch.js';

/** Any model: token ids [B, T] (int32) to logits [B, T, V]. */
export type LogitsFn = (ids: Tensor) => Tensor;

/** The reference model's per-token log-probs for a batch, computed without gradient. */
export interface ReferenceLogps {
  /** Per-token [B, T]: pass straight to a loss as refChosenLogps (values off the mask are ignored by the losses). */
  refChosenLogps: Tensor;
  refRejectedLogps: Tensor;
}

/** What identifies an example in a ReferenceCache (e.g. its index in the training set). */
export type ExampleKey = string | number;

interface Entry {
  /** The log-probs of the completion tokens only, in order (padding and prompt dropped). */
  chosen: Float64Array;
  rejected: Float64Array;
}

/** Reference log-probs per example key, stored as plain numbers (no tensors, so nothing to dispose). */
export class ReferenceCache {
  private readonly entries = new Map<ExampleKey, Entry>();
  /** Number of cached examples. */
  get size(): number {
    return this.entries.size;
  }
  /** Whether the example is cached. */
  has(key: ExampleKey): boolean {
    return this.entries.has(key);
  }
  /** The cached completion log-probs of an example, if any. */
  get(key: ExampleKey): Entry | undefined {
    return this.entries.get(key);
  }
  /** Caches an example's completion log-probs. */
  set(key: ExampleKey, entry: Entry): void {
    this.entries.set(key, entry);
  }
  /** Forgets every example. */
  clear(): void {
    this.entries.clear();
  }
}

function forward(logitsFn: LogitsFn, side: SequenceBatch): Tensor {
  return noGrad(() => tokenLogps(logitsFn(side.ids), side.targets));
}

/** Keeps the values under the mask, row by row. */
function completionValues(
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array[] {
  return Array.from({ length: rows }, (_, r) => {
    const out: number[] = [];
    for (let c = 0; c < cols; c++) if (mask[r * cols + c] !== 0) out.push(values[r * cols + c]);
    return Float64Array.from(out);
  });
}

/** Spreads cached completion values back onto the batch's mask layout. */
function spread(
  rowsValues: Float64Array[],
  keys: readonly ExampleKey[],
  mask: ArrayLike<number>,
  like: Tensor,
  sideName: string,
): Tensor {
  const [rows, cols] = like.shape;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let k = 0;
    for (let c = 0; c < cols; c++) if (mask[r * cols + c] !== 0) out[r * cols + c] = rowsValues[r][k++];
    if (k !== rowsValues[r].length) {
      throw new Error(
        `referenceLogps: cached ${sideName} log-probs for example '${String(keys[r])}' ` +
          `have ${rowsValues[r].length} tokens ` +
          `but the batch row has ${k} (same key, different example or truncation?)`,
      );
    }
  }
  return tensor(out, { shape: like.shape, dtype: like.dtype, backend: like.backend });
}

/**
 * The reference model's per-token log-probs for a batch, under noGrad. With a cache and one key per example, only a
 * batch holding an unseen example runs the model; the rest is read back from the cache.
 */
export async function referenceLogps(
  logitsFn: LogitsFn,
  batch: PreferenceBatch,
  opts: { cache?: ReferenceCache; keys?: readonly ExampleKey[] } = {},
): Promise<ReferenceLogps> {
  const rows = batch.chosen.ids.shape[0];
  const { cache, keys } = opts;
  if (!cache) {
    return { refChosenLogps: forward(logitsFn, batch.chosen), refRejectedLogps: forward(logitsFn, batch.rejected) };
  }
  if (!keys || keys.length !== rows) {
    throw new Error(`referenceLogps: a cache needs one key per example (${rows}), got ${keys ? keys.length : 'none'}`);
  }
  const [chosenMask, rejectedMask] = await Promise.all([batch.chosen.mask.data(), batch.rejected.mask.data()]);
  const cols = batch.length;
  if (keys.some((k) => !cache.has(k))) {
    const chosen = forward(logitsFn, batch.chosen);
    const rejected = forward(logitsFn, batch.rejected);
    const [cv, rv] = await Promise.all([chosen.data(), rejected.data()]);
    chosen.dispose();
    rejected.dispose();
    const c = completionValues(cv, chosenMask, rows, cols);
    const r = completionValues(rv, rejectedMask, rows, cols);
    keys.forEach((k, i) => {
      if (!cache.has(k)) cache.set(k, { chosen: c[i], rejected: r[i] });
    });
  }
  const entries = keys.map((k) => cache.get(k) as Entry);
  return {
    refChosenLogps: spread(
      entries.map((e) => e.chosen),
      keys,
      chosenMask,
      batch.chosen.mask,
      'chosen',
    ),
    refRejectedLogps: spread(
      entries.map((e) => e.rejected),
      keys,
      rejectedMask,
      batch.rejected.mask,
      'rejected',
    ),
  };
}
