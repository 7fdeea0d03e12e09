// A showcase's memory needs, estimated before anything is trained: the run is refused up front (exit code 2, a
// message naming the flag to lower) instead of failing after a minute, or writing an empty report, once the
// machine runs out. The estimate counts what dominates, generously: every model copy alive at once with its
// gradients and Adam moments, and one step's saved activations and their gradients.

import type { ShowcaseSettings } from './args.js';
import type { TokenPair } from '../data/preference-pairs.js';
import { MAX_TENSOR_ELEMENTS } from '../creation.js';

export interface MemoryEstimate {
  /** Float elements of one model's parameters. */
  parameters: number;
  /** Peak bytes: model copies, optimizer state and the largest step's activations. */
  bytes: number;
  /** The largest single tensor (elements) a step creates, with what it is. */
  largest: { elements: number; what: string };
}

const FLOAT_BYTES = 4; // the showcase trains in float32
// policy + its gradient + Adam's two moments, the frozen SFT reference, and a checkpoint being written
const MODEL_COPIES = 6;
// per layer and position: qkv (3C), merged heads, projections, two LayerNorms, MLP (4C in, 4C gelu), residuals
const SAVED_PER_EMBED = 20;

/** The longest model input of the task: prompt + completion minus its last token. */
export function longestInput(pairs: readonly TokenPair[]): number {
  return Math.max(1, ...pairs.map((p) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length) - 1));
}

export function estimateMemory(s: ShowcaseSettings, vocabSize: number, seqLen: number): MemoryEstimate {
  const { nEmbd: C, nLayer: L, nHead: H, blockSize } = s.model;
  const T = Math.min(seqLen, blockSize);
  const parameters = vocabSize * C + blockSize * C + L * (12 * C * C + 13 * C) + 2 * C;
  // a step reads chosen and rejected together (preference) or 2 x batch sequences (SFT): 2 x batch rows either way
  const stepRows = Math.max(2 * s.batchSize, 2 * s.evalPairs);
  const logits = stepRows * T * vocabSize;
  const scores = stepRows * H * T * T;
  const mlp = stepRows * T * 4 * C;
  const activations = stepRows * T * (L * SAVED_PER_EMBED * C + 4 * vocabSize) + L * 3 * scores;
  const largest = [
    { elements: logits, what: `the logits (${stepRows} sequences x ${T} positions x ${vocabSize} tokens)` },
    { elements: scores, what: `the attention scores (${stepRows} sequences x ${H} heads x ${T}^2 positions)` },
    { elements: mlp, what: `the MLP activations (${stepRows} sequences x ${T} positions x ${4 * C})` },
    { elements: (12 * C * C) / 3, what: `a layer's MLP weight (${C} x ${4 * C})` },
  ].reduce((a, b) => (b.elements > a.elements ? b : a));
  // activations twice: saved for backward, and their gradients
  const bytes = FLOAT_BYTES * (MODEL_COPIES * parameters + 2 * activations);
  return { parameters, bytes, largest };
}

const GIB = 2 ** 30;

/** Why the run cannot fit (a message for the user), or null when it can. */
export function memoryProblem(
  s: ShowcaseSettings,
  vocabSize: number,
  seqLen: number,
  availableBytes: number,
): string | null {
  const e = estimateMemory(s, vocabSize, seqLen);
  const advice = 'lower --batch or the model size (--model, --n-embd, --n-layer, --block-size)';
  if (e.largest.elements > MAX_TENSOR_ELEMENTS) {
    return (
      `this run needs a tensor of ${e.largest.elements.toExponential(2)} elements for ${e.largest.what}, ` +
      `more than the ${MAX_TENSOR_ELEMENTS} a tensor can hold; ${advice}`
    );
  }
  if (e.bytes > availableBytes) {
    return (
      `this run needs about ${(e.bytes / GIB).toFixed(1)} GiB ` +
      `(${(e.parameters / 1e6).toFixed(1)}M parameters per model, plus one step's activations), ` +
      `more than the ${(availableBytes / GIB).toFixed(1)} GiB this machine has; ${advice}`
    );
  }
  return null;
}
