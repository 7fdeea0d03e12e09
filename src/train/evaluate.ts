// Held-out measurements of a model during and after preference training: what happened to the likelihood of the
// chosen and rejected completions (the unlearning signal), and what the model now writes when asked greedily
// (formatting collapse and answer accuracy). Everything is measured here, on data no step trained on.

import type { GPT } from '../nn/gpt.js';
import { generate } from '../nn/generate.js';
import { noGrad } from '../autograd/graph.js';
import { concat } from '../autograd/ops/layout.js';
import { tidy } from '../memory.js';
import { tokenLogps } from '../losses/logprobs.js';
import { buildPreferenceBatch } from '../losses/batch.js';
import type { ByteTokenizer } from '../data/tokenizer.js';
import type { TokenPair } from '../data/preference-pairs.js';
import type { GenerationScore } from '../data/preference-task.js';

/** The held-out metric names, as logged to metrics.jsonl and stored in summary.json. */
export const EVAL_METRICS = [
  'eval_lbar/chosen',
  'eval_sumlogp/chosen',
  'eval_lbar/rejected',
  'eval_sumlogp/rejected',
  'eval_min_token_prob/rejected',
  'eval_margin/lbar',
  'eval_preference_accuracy',
  'eval_format_valid_rate',
  'eval_answer_accuracy',
] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];
export type EvalMetrics = Record<EvalMetric, number>;

export interface HeldOutSet {
  /** Pairs scored for likelihoods. */
  pairs: TokenPair[];
  /** Prompts answered by greedy generation, with how to score each answer. */
  prompts: { ids: readonly number[]; text: string; score: (completion: string, stopped: boolean) => GenerationScore }[];
  /** Generation budget: enough for the longest expected answer plus room to show a model that does not stop. */
  maxNewTokens: number;
}

export interface GenerationSample {
  prompt: string;
  /**
   * What the model wrote (invalid UTF-8 as \xNN, stray specials as <bos>/<pad>);
   * "..." appended when it never stopped.
   */
  completion: string;
  formatValid: boolean;
  correct: boolean;
}

export interface HeldOutResult {
  metrics: EvalMetrics;
  samples: GenerationSample[];
}

interface Likelihoods {
  chosenLbar: number[];
  chosenSum: number[];
  rejectedLbar: number[];
  rejectedSum: number[];
  minRejectedLogp: number;
}

/** Per-pair sums and means of completion log-probs, read back to the host (cheap: a few hundred numbers). */
async function likelihoods(model: GPT, pairs: readonly TokenPair[], padId: number): Promise<Likelihoods> {
  const batch = buildPreferenceBatch(pairs, { padId, backend: model.backend });
  const B = pairs.length;
  const T = batch.length;
  const logps = tidy(() =>
    noGrad(() => {
      const ids = concat([batch.chosen.ids, batch.rejected.ids], 0);
      const targets = concat([batch.chosen.targets, batch.rejected.targets], 0);
      return tokenLogps(model.forward(ids), targets);
    }),
  );
  const [values, chosenMask, rejectedMask] = await Promise.all([
    logps.data(),
    batch.chosen.mask.data(),
    batch.rejected.mask.data(),
  ]);
  logps.dispose();
  for (const side of [batch.chosen, batch.rejected]) for (const t of [side.ids, side.targets, side.mask]) t.dispose();
  const out: Likelihoods = {
    chosenLbar: [],
    chosenSum: [],
    rejectedLbar: [],
    rejectedSum: [],
    minRejectedLogp: Infinity,
  };
  for (let b = 0; b < B; b++) {
    for (const [offset, mask, sums, means] of [
      [0, chosenMask, out.chosenSum, out.chosenLbar],
      [B, rejectedMask, out.rejectedSum, out.rejectedLbar],
    ] as const) {
      let sum = 0;
      let count = 0;
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] === 0) continue;
        const l = values[(offset + b) * T + t];
        sum += l;
        count++;
        if (offset === B) out.minRejectedLogp = Math.min(out.minRejectedLogp, l);
      }
      sums.push(sum);
      means.push(sum / count);
    }
  }
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function validUtf8(bytes: readonly number[]): boolean {
  try {
    strictUtf8.decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/** A token of a broken generation, readable: printable ASCII as itself, other bytes as \xNN, specials by name. */
function showToken(id: number, tokenizer: ByteTokenizer): string {
  if (id === tokenizer.bos) return '<bos>';
  if (id === tokenizer.pad) return '<pad>';
  return id >= 0x20 && id < 0x7f ? String.fromCharCode(id) : `\\x${id.toString(16).padStart(2, '0')}`;
}

/** Greedy answers to the held-out prompts, generated in groups of equal prompt length (generate needs that). */
async function generations(model: GPT, set: HeldOutSet, tokenizer: ByteTokenizer): Promise<GenerationSample[]> {
  const byLength = new Map<number, number[]>();
  set.prompts.forEach((p, i) => byLength.set(p.ids.length, [...(byLength.get(p.ids.length) ?? []), i]));
  const samples: GenerationSample[] = new Array(set.prompts.length);
  for (const [length, indices] of byLength) {
    const maxNewTokens = Math.min(set.maxNewTokens, model.config.blockSize - length);
    const rows = await generate(
      model,
      indices.map((i) => set.prompts[i].ids),
      { maxNewTokens, temperature: 0, stopToken: tokenizer.eos },
    );
    rows.forEach((row, k) => {
      const prompt = set.prompts[indices[k]];
      const written = row.slice(length);
      const stopped = written[written.length - 1] === tokenizer.eos;
      const body = stopped ? written.slice(0, -1) : written;
      // a stray special token (BOS/PAD) would vanish in decode and could make a broken answer look valid
      const clean = body.every((id) => !tokenizer.isSpecial(id));
      const score = clean ? prompt.score(tokenizer.decode(body), stopped) : { formatValid: false, correct: false };
      const shown =
        clean && validUtf8(body) ? tokenizer.decode(body) : body.map((id) => showToken(id, tokenizer)).join('');
      samples[indices[k]] = { prompt: prompt.text, completion: stopped ? shown : `${shown}...`, ...score };
    });
  }
  return samples;
}

/** Every held-out metric of EVAL_METRICS, plus the generations (for the report's before/after samples). */
export async function evaluateHeldOut(model: GPT, set: HeldOutSet, tokenizer: ByteTokenizer): Promise<HeldOutResult> {
  const wasTraining = model.training;
  model.eval();
  try {
    const l = await likelihoods(model, set.pairs, tokenizer.pad);
    const samples = await generations(model, set, tokenizer);
    const margins = l.chosenLbar.map((c, i) => c - l.rejectedLbar[i]);
    const metrics: EvalMetrics = {
      'eval_lbar/chosen': mean(l.chosenLbar),
      'eval_sumlogp/chosen': mean(l.chosenSum),
      'eval_lbar/rejected': mean(l.rejectedLbar),
      'eval_sumlogp/rejected': mean(l.rejectedSum),
      'eval_min_token_prob/rejected': Math.exp(l.minRejectedLogp),
      'eval_margin/lbar': mean(margins),
      eval_preference_accuracy: mean(margins.map((m) => (m > 0 ? 1 : 0))),
      eval_format_valid_rate: mean(samples.map((s) => (s.formatValid ? 1 : 0))),
      eval_answer_accuracy: mean(samples.map((s) => (s.correct ? 1 : 0))),
    };
    return { metrics, samples };
  } finally {
    model.train(wasTraining);
  }
}
