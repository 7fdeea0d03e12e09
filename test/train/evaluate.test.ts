// evaluateHeldOut, every metric, against values computed here without the code under test: per-pair log-probs
// from one unpadded forward pass per sequence and a log-softmax written out in this file, and greedy answers from
// a plain argmax loop. The model's final LayerNorm bias is set to a multiple of the EOS embedding so that the
// greedy answers stop early for some prompts (the tied head then favours EOS), giving stopped, unstopped and empty
// answers in one set.

import { describe, expect, it } from 'vitest';
import { noGrad, tensor } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import { ByteTokenizer } from '../../src/data/tokenizer.js';
import type { TokenPair } from '../../src/data/preference-pairs.js';
import { EVAL_METRICS, evaluateHeldOut, type HeldOutSet } from '../../src/train/evaluate.js';

const tok = new ByteTokenizer();
const C = 8;

function makeModel(): GPT {
  const model = new GPT(
    { vocabSize: tok.vocabSize, blockSize: 12, nEmbd: C, nLayer: 1, nHead: 2, dropout: 0.2 },
    { seed: 5, dtype: 'float64' },
  );
  const eosRow = Array.from(model.wte.weight.dataSync().slice(tok.eos * C, (tok.eos + 1) * C), (x) => 38 * x);
  noGrad(() => model.lnF.bias.assign(tensor(eosRow, { dtype: 'float64' })));
  return model;
}

/** Logits of the last position... of every position, for one unpadded row, as plain numbers [T][V]. */
function logitsOf(model: GPT, ids: readonly number[]): number[][] {
  const flat = noGrad(() => model.forward(tensor(ids, { shape: [1, ids.length], dtype: 'int32' }))).dataSync();
  return ids.map((_, t) => Array.from(flat.slice(t * tok.vocabSize, (t + 1) * tok.vocabSize)));
}

function logSoftmaxAt(row: number[], target: number): number {
  const max = Math.max(...row);
  return row[target] - max - Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
}

/** Per-token log-probs of the completion tokens of prompt + completion. */
function completionLogps(model: GPT, prompt: readonly number[], completion: readonly number[]): number[] {
  const full = [...prompt, ...completion];
  const logits = logitsOf(model, full.slice(0, -1));
  return completion.map((token, k) => logSoftmaxAt(logits[prompt.length - 1 + k], token));
}

function greedy(model: GPT, prompt: readonly number[], maxNew: number): { body: number[]; stopped: boolean } {
  const ids = [...prompt];
  while (ids.length - prompt.length < maxNew) {
    const last = logitsOf(model, ids)[ids.length - 1];
    const next = last.indexOf(Math.max(...last));
    if (next === tok.eos) return { body: ids.slice(prompt.length), stopped: true };
    ids.push(next);
  }
  return { body: ids.slice(prompt.length), stopped: false };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const score = (completion: string, stopped: boolean) => ({ formatValid: stopped, correct: completion === '\t' });

const pairs: TokenPair[] = [
  {
    prompt: tok.encode('1+', { bos: true }),
    chosen: tok.encode('2', { eos: true }),
    rejected: tok.encode('17', { eos: true }),
  },
  {
    prompt: tok.encode('h', { bos: true }),
    chosen: tok.encode('ab', { eos: true }),
    rejected: tok.encode('z', { eos: true }),
  },
  {
    prompt: tok.encode('xyz', { bos: true }),
    chosen: tok.encode('q', { eos: true }),
    rejected: tok.encode('pqr', { eos: true }),
  },
];
// the first pair the other way round: its margin has the opposite sign, so accuracy is neither 0 nor 1
pairs.push({ ...pairs[0], chosen: pairs[0].rejected, rejected: pairs[0].chosen });
const promptTexts = ['1+', '2', 'x', 'hi'];
const set: HeldOutSet = {
  pairs,
  prompts: promptTexts.map((text) => ({ ids: tok.encode(text, { bos: true }), text, score })),
  maxNewTokens: 3,
};

describe('evaluateHeldOut', () => {
  it('every metric equals an independent computation on a fixed tiny model', async () => {
    const model = makeModel();
    // two more pairs: a tie (chosen = rejected, margin exactly 0, not a win), and one whose chosen answer starts with
    // the model's least likely byte and whose rejected answer starts with its most likely one, so the least likely
    // token overall is a chosen one (the minimum must be taken over rejected tokens only)
    const prompt = tok.encode('q', { bos: true });
    model.eval();
    const next = logitsOf(model, prompt)[prompt.length - 1].slice(0, 256);
    const rare = next.indexOf(Math.min(...next));
    const common = next.indexOf(Math.max(...next));
    set.pairs.push({ prompt, chosen: [common, tok.eos], rejected: [common, tok.eos] });
    set.pairs.push({ prompt, chosen: [rare, tok.eos], rejected: [common, tok.eos] });
    // an odd number of pairs: counting wins (m > 0) and counting the rest (m <= 0) can never agree
    set.pairs.push(pairs[1]);
    model.train();
    const { metrics, samples } = await evaluateHeldOut(model, set, tok);
    expect(model.training).toBe(true); // restored after the eval-mode measurement
    model.eval();

    const chosen = pairs.map((p) => completionLogps(model, p.prompt, p.chosen));
    const rejected = pairs.map((p) => completionLogps(model, p.prompt, p.rejected));
    const lbar = (xs: number[][]) => xs.map(mean);
    const margins = lbar(chosen).map((c, i) => c - lbar(rejected)[i]);
    const answers = set.prompts.map((p) => greedy(model, p.ids, set.maxNewTokens));
    const scores = answers.map((a) =>
      a.body.some((id) => tok.isSpecial(id))
        ? { formatValid: false, correct: false }
        : score(tok.decode(a.body), a.stopped),
    );
    // the set covers an answer that stops with a body, one that stops at once and one that never stops
    expect(answers.map((a) => [a.stopped, a.body.length > 0])).toEqual(
      expect.arrayContaining([
        [true, true],
        [true, false],
        [false, true],
      ]),
    );
    expect(new Set(margins.map((m) => m > 0)).size).toBe(2);
    expect(margins).toContain(0);
    expect(Math.min(...chosen.flat())).toBeLessThan(Math.min(...rejected.flat()));

    const expected: Record<string, number> = {
      'eval_lbar/chosen': mean(lbar(chosen)),
      'eval_sumlogp/chosen': mean(chosen.map((xs) => xs.reduce((s, x) => s + x, 0))),
      'eval_lbar/rejected': mean(lbar(rejected)),
      'eval_sumlogp/rejected': mean(rejected.map((xs) => xs.reduce((s, x) => s + x, 0))),
      'eval_min_token_prob/rejected': Math.exp(Math.min(...rejected.flat())),
      'eval_margin/lbar': mean(margins),
      eval_preference_accuracy: mean(margins.map((m) => (m > 0 ? 1 : 0))),
      eval_format_valid_rate: mean(scores.map((s) => (s.formatValid ? 1 : 0))),
      eval_answer_accuracy: mean(scores.map((s) => (s.correct ? 1 : 0))),
    };
    expect(Object.keys(metrics).sort()).toEqual([...EVAL_METRICS].sort());
    for (const name of EVAL_METRICS) expect(metrics[name], name).toBeCloseTo(expected[name], 10);
    expect(expected.eval_answer_accuracy).toBeGreaterThan(0);
    expect(expected.eval_format_valid_rate).toBeGreaterThan(expected.eval_answer_accuracy);

    expect(samples.map((s) => [s.prompt, s.formatValid, s.correct])).toEqual(
      promptTexts.map((t, i) => [t, scores[i].formatValid, scores[i].correct]),
    );
    answers.forEach((a, i) => expect(samples[i].completion.endsWith('...')).toBe(!a.stopped));
  });
});
