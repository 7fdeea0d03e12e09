// Turning token sequences into model batches. Sequences are right-padded, which a causal model needs no attention
// mask for (padding only ever follows real tokens); the masks say which positions are real and which targets count.

import type { Backend } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import type { Rng } from '../random.js';
import { uniformArray } from '../random.js';

/** A next-token batch: predict targets[b, t] from inputs[b, 0..t]. */
export interface LmBatch {
  /** int32 [B, T] */
  inputs: Tensor;
  /** int32 [B, T]; padded positions hold padId (they are masked out, never trained on) */
  targets: Tensor;
  /** float32 [B, T]: 1 where inputs[b, t] is a real token */
  attentionMask: Tensor;
  /** float32 [B, T]: 1 where targets[b, t] counts in the loss */
  lossMask: Tensor;
  /** Number of counted targets. */
  tokens: number;
}

/** One training sequence and, optionally, which of its tokens count in the loss. */
export interface Example {
  ids: readonly number[];
  /**
   * Per-token 0/1, same length as ids: whether predicting that token counts (e.g. only the completion).
   * Default all 1.
   */
  lossMask?: readonly number[];
}

/**
 * A padded next-token batch from sequences: inputs are ids[0..n-2], targets ids[1..n-1]. Longer sequences are cut
 * to maxLength + 1 tokens (maxLength positions).
 */
export function padBatch(
  examples: readonly Example[],
  opts: { padId: number; maxLength?: number; backend?: Backend | string },
): LmBatch {
  if (examples.length === 0) throw new Error('padBatch: no examples');
  examples.forEach((e, i) => {
    if (e.ids.length < 2)
      throw new Error(`padBatch: example ${i} has ${e.ids.length} tokens; next-token training needs at least 2`);
    if (e.lossMask && e.lossMask.length !== e.ids.length) {
      throw new Error(`padBatch: example ${i} has ${e.ids.length} ids but a lossMask of length ${e.lossMask.length}`);
    }
  });
  const longest = Math.max(...examples.map((e) => e.ids.length - 1));
  const T = opts.maxLength === undefined ? longest : Math.min(longest, opts.maxLength);
  const B = examples.length;
  const inputs = new Int32Array(B * T).fill(opts.padId);
  const targets = new Int32Array(B * T).fill(opts.padId);
  const attention = new Float32Array(B * T);
  const loss = new Float32Array(B * T);
  let tokens = 0;
  examples.forEach((e, b) => {
    const n = Math.min(e.ids.length - 1, T);
    for (let t = 0; t < n; t++) {
      inputs[b * T + t] = e.ids[t];
      targets[b * T + t] = e.ids[t + 1];
      attention[b * T + t] = 1;
      loss[b * T + t] = e.lossMask ? e.lossMask[t + 1] : 1;
      tokens += loss[b * T + t];
    }
  });
  const where = { shape: [B, T], backend: opts.backend };
  return {
    inputs: tensor(inputs, where),
    targets: tensor(targets, where),
    attentionMask: tensor(attention, where),
    lossMask: tensor(loss, where),
    tokens,
  };
}

/** B random windows of T + 1 consecutive tokens from a long stream (language-model pretraining batches). */
export function sampleWindows(
  stream: ArrayLike<number>,
  batchSize: number,
  blockSize: number,
  rng: Rng,
  backend?: Backend | string,
): LmBatch {
  const span = stream.length - blockSize - 1;
  if (span < 0)
    throw new Error(
      `sampleWindows: the stream has ${stream.length} tokens, fewer than blockSize + 1 = ${blockSize + 1}`,
    );
  const u = uniformArray(batchSize, rng.nextSeed());
  const examples = Array.from(u, (x) => {
    const start = Math.floor(x * (span + 1));
    return { ids: Array.from({ length: blockSize + 1 }, (_, i) => stream[start + i]) };
  });
  return padBatch(examples, { padId: 0, backend });
}
