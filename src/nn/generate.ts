// Autoregressive sampling from a GPT: batched, greedy at temperature 0, otherwise softmax(logits / temperature)
// restricted to the top k. Each step runs under noGrad inside tidy, so generation leaves no tensors behind.

import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { noGrad } from '../autograd/graph.js';
import { tidy } from '../memory.js';
import { Rng, uniformArray } from '../random.js';
import type { GPT } from './gpt.js';

/** How generate() samples: length, temperature, top-k, stop token and seed. */
export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 = greedy (argmax); default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** A row stops after emitting this token (it is kept in the output). */
  stopToken?: number;
  /** Seed of the sampling stream; default 0. */
  seed?: number;
}

/**
 * Continues each prompt (rows of equal length) and returns prompt + new tokens per row. Rows that hit the stop
 * token end there; the others go on until maxNewTokens.
 */
export async function generate(
  model: GPT,
  prompts: readonly (readonly number[])[],
  opts: GenerateOptions,
): Promise<number[][]> {
  const { maxNewTokens, temperature = 1, topK, stopToken, seed = 0 } = opts;
  const V = model.config.vocabSize;
  if (prompts.length === 0 || prompts.some((p) => p.length !== prompts[0].length || p.length === 0)) {
    throw new Error(
      `generate: prompts must be non-empty rows of equal length, got lengths [${prompts.map((p) => p.length)}]`,
    );
  }
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens >= 0))
    throw new Error(`generate: maxNewTokens must be an integer >= 0, got ${maxNewTokens}`);
  if (!(temperature >= 0)) throw new Error(`generate: temperature must be >= 0, got ${temperature}`);
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1))
    throw new Error(`generate: topK must be an integer >= 1, got ${topK}`);

  const rows = prompts.map((p) => [...p]);
  // a finished row keeps getting (ignored) filler tokens so the batch stays rectangular; lengths[b] is its real end
  const lengths = rows.map((r) => r.length);
  const done = rows.map(() => false);
  const rng = new Rng(seed);
  const wasTraining = model.training;
  model.eval();
  try {
    for (let step = 0; step < maxNewTokens && done.some((d) => !d); step++) {
      const context = rows.map((r) => r.slice(-model.config.blockSize));
      const T = context[0].length;
      const last: Tensor = tidy(() =>
        noGrad(() => {
          const tokens = tensor(Int32Array.from(context.flat()), { shape: [rows.length, T], backend: model.backend });
          return model.forward(tokens).slice([0, T - 1], [rows.length, T]);
        }),
      );
      const logits = await last.data();
      last.dispose();
      const u = uniformArray(rows.length, rng.nextSeed());
      const bad = logits.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0)
        throw new Error(
          `generate: the model produced a non-finite logit (${logits[bad]}) ` +
            `for row ${Math.floor(bad / V)} at step ${step}`,
        );
      rows.forEach((row, b) => {
        if (done[b]) {
          row.push(row[row.length - 1]);
          return;
        }
        const next = pick(logits.subarray(b * V, (b + 1) * V), temperature, topK, u[b]);
        row.push(next);
        lengths[b]++;
        if (next === stopToken) done[b] = true;
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return rows.map((r, b) => r.slice(0, lengths[b]));
}

/** One token from a row of logits: argmax at temperature 0, else inverse-CDF sampling with uniform u. */
function pick(logits: ArrayLike<number>, temperature: number, topK: number | undefined, u: number): number {
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  if (temperature === 0) return order[0];
  const candidates = order.slice(0, topK ?? order.length);
  const top = logits[candidates[0]];
  const weights = candidates.map((i) => Math.exp((logits[i] - top) / temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  for (let j = 0; j < candidates.length; j++) {
    acc += weights[j] / total;
    if (u < acc) return candidates[j];
  }
  return candidates[candidates.length - 1];
}
