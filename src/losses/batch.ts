// Turning (prompt, chosen, rejected) token ids into padded model inputs, next-token targets and completion masks.

import type { Tensor } from '../tensor.js';
import { tensor, type TensorOptions } from '../creation.js';

/** One preference pair as token ids: the prompt, and the chosen and rejected completions that follow it. */
export interface TokenPair {
  prompt: readonly number[];
  chosen: readonly number[];
  rejected: readonly number[];
}

/** How buildPreferenceBatch pads and truncates, and where it puts the tensors. */
export interface BatchOptions {
  /** Fills the padding of ids and targets; the masks, not this id, decide what counts, so it may equal EOS. */
  padId: number;
  /** Longest prompt + completion kept; a longer completion loses its tail (at least one token must survive). */
  maxLength?: number;
  /** dtype of the masks (the log-probs' dtype); float32 unless said. */
  dtype?: 'float32' | 'float64';
  backend?: TensorOptions['backend'];
}

/** One side (chosen or rejected) of a batch. All [B, T]. */
export interface SequenceBatch {
  /** Model input: prompt + completion without its last token, padded. int32. */
  ids: Tensor;
  /** The next token at every position (ids shifted by one), padded. int32. */
  targets: Tensor;
  /** 1 where the target is a completion token (the EOS included, when the completion ends with one), else 0. */
  mask: Tensor;
}

/** The chosen and rejected sides of a batch of pairs, each [B, T] (the two may differ in T). */
export interface PreferenceBatch {
  chosen: SequenceBatch;
  rejected: SequenceBatch;
  /** T: both sides are padded to the same length, so they can share one forward pass. */
  length: number;
  /** How many completions lost tokens to maxLength. */
  truncated: number;
}

interface Layout {
  ids: number[];
  targets: number[];
  mask: number[];
  truncated: boolean;
}

function checkIds(where: string, ids: readonly number[]): void {
  if (!Array.isArray(ids))
    throw new Error(`buildPreferenceBatch: ${where} must be an array of token ids, got ${typeof ids}`);
  const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0);
  if (bad >= 0)
    throw new Error(`buildPreferenceBatch: ${where}[${bad}] = ${ids[bad]} is not a token id (a non-negative integer)`);
}

/** Next-token layout of one prompt + completion: position t predicts token t + 1, counted if that is completion. */
function layout(where: string, prompt: readonly number[], completion: readonly number[], maxLength: number): Layout {
  if (completion.length === 0)
    throw new Error(`buildPreferenceBatch: ${where} is an empty completion (nothing to score; drop the example)`);
  const full = [...prompt, ...completion];
  const kept = full.slice(0, maxLength);
  if (kept.length <= prompt.length) {
    throw new Error(
      `buildPreferenceBatch: ${where}: maxLength ${maxLength} leaves no completion token ` +
        `after a prompt of ${prompt.length} tokens`,
    );
  }
  return {
    ids: kept.slice(0, -1),
    targets: kept.slice(1),
    mask: kept.slice(1).map((_, t) => (t + 1 >= prompt.length ? 1 : 0)),
    truncated: kept.length < full.length,
  };
}

function side(rows: Layout[], length: number, opts: BatchOptions): SequenceBatch {
  const n = rows.length * length;
  const ids = new Int32Array(n).fill(opts.padId);
  const targets = new Int32Array(n).fill(opts.padId);
  const mask = new Float64Array(n);
  rows.forEach((r, i) => {
    ids.set(r.ids, i * length);
    targets.set(r.targets, i * length);
    mask.set(r.mask, i * length);
  });
  const shape = [rows.length, length];
  return {
    ids: tensor(ids, { shape, backend: opts.backend }),
    targets: tensor(targets, { shape, backend: opts.backend }),
    mask: tensor(mask, { shape, dtype: opts.dtype ?? 'float32', backend: opts.backend }),
  };
}

/**
 * Builds a batch of preference pairs. Masks are positional (prompt and padding are 0, every completion token is 1),
 * never derived from token values or log-prob values, so an EOS equal to padId is still counted.
 */
export function buildPreferenceBatch(examples: readonly TokenPair[], opts: BatchOptions): PreferenceBatch {
  if (!Array.isArray(examples) || examples.length === 0)
    throw new Error('buildPreferenceBatch: expected at least one example');
  if (!Number.isInteger(opts.padId) || opts.padId < 0)
    throw new Error(`buildPreferenceBatch: padId must be a token id (a non-negative integer), got ${opts.padId}`);
  const maxLength = opts.maxLength ?? Infinity;
  if (maxLength !== Infinity && (!Number.isInteger(maxLength) || maxLength < 2)) {
    throw new Error(
      `buildPreferenceBatch: maxLength must be an integer >= 2 ` +
        `(a prompt token and a completion token), got ${maxLength}`,
    );
  }
  const chosen: Layout[] = [];
  const rejected: Layout[] = [];
  examples.forEach((ex, i) => {
    checkIds(`example ${i} prompt`, ex.prompt);
    checkIds(`example ${i} chosen`, ex.chosen);
    checkIds(`example ${i} rejected`, ex.rejected);
    // the first completion token must be predicted from something
    if (ex.prompt.length === 0)
      throw new Error(`buildPreferenceBatch: example ${i} has an empty prompt (start it with a BOS token)`);
    chosen.push(layout(`example ${i} chosen`, ex.prompt, ex.chosen, maxLength));
    rejected.push(layout(`example ${i} rejected`, ex.prompt, ex.rejected, maxLength));
  });
  const length = Math.max(...[...chosen, ...rejected].map((r) => r.ids.length));
  return {
    chosen: side(chosen, length, opts),
    rejected: side(rejected, length, opts),
    length,
    truncated: [...chosen, ...rejected].filter((r) => r.truncated).length,
  };
}
