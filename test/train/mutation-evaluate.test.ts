// evaluateHeldOut's generations pinned by text (issue 12, mutation testing): a model whose weights are set by hand
// so that the greedy next token depends only on the position (blocks silenced, each position embedding points at
// one token's embedding), which scripts answers with stray BOS / PAD, control and high bytes, valid multi-byte
// UTF-8, empty and unstopped answers, several prompts of one length, and a prompt near the end of the context.

import { describe, expect, it, vi } from 'vitest';
import { noGrad, tensor } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import { ByteTokenizer } from '../../src/data/tokenizer.js';
import type { HeldOutSet } from '../../src/train/evaluate.js';

const tok = new ByteTokenizer();
const C = 16;
const BLOCK = 24;
const ch = (s: string) => s.charCodeAt(0);
const { bos, eos, pad } = tok;

/** The token the model writes after each position (positions not listed write EOS). */
const script = new Map<number, number>([
  // prompt length 1 writes positions 0..3
  [0, ch('O')],
  [1, ch('K')],
  [2, eos],
  // length 5: 4..7, stray specials, never stops
  [4, ch('A')],
  [5, bos],
  [6, ch('B')],
  [7, pad],
  // length 9: 8..11, a low and a high byte around the printable edges, never stops
  [8, 0x05],
  [9, 0xff],
  [10, 0x20],
  [11, 0x7e],
  // length 13: 12..15, the bytes just outside the printable range, then a stop
  [12, 0x1f],
  [13, 0x7f],
  [14, 0xff],
  [15, eos],
  // length 17: 16..19, valid two-byte UTF-8 (é)
  [16, 0xc3],
  [17, 0xa9],
  [18, eos],
  // length 21: 20 stops at once; length 23: one token of room left (position 22)
  [22, ch('Z')],
]);

function scriptedModel(): GPT {
  const model = new GPT(
    { vocabSize: tok.vocabSize, blockSize: BLOCK, nEmbd: C, nLayer: 1, nHead: 2, dropout: 0 },
    { seed: 1, dtype: 'float64' },
  );
  const targets = [...new Set([...script.values(), eos])];
  expect(targets.length).toBeLessThanOrEqual(C);
  const wte = new Array(tok.vocabSize * C).fill(0);
  targets.forEach((id, k) => (wte[id * C + k] = 1));
  const wpe = new Array(BLOCK * C).fill(0);
  for (let t = 0; t < BLOCK; t++) wpe[t * C + targets.indexOf(script.get(t) ?? eos)] = 100;
  noGrad(() => {
    model.wte.weight.assign(tensor(wte, { shape: [tok.vocabSize, C], dtype: 'float64' }));
    model.wpe.weight.assign(tensor(wpe, { shape: [BLOCK, C], dtype: 'float64' }));
    for (const block of model.h)
      for (const p of [block.attn.cProj.weight, block.attn.cProj.bias!, block.mlp.cProj.weight, block.mlp.cProj.bias!])
        p.assign(tensor(new Array(p.size).fill(0), { shape: [...p.shape], dtype: 'float64' }));
  });
  return model;
}

/** A prompt of `length` tokens: BOS, then letters (their values do not matter to this model). */
const prompt = (length: number, letter: string) => [bos, ...new Array(length - 1).fill(ch(letter))];

describe('evaluateHeldOut generations, scripted', () => {
  it('shows each answer as text or token by token, marks unstopped ones, and scores only clean ones', async () => {
    // imported here, not at the top: a module that fails to load (say, a bad decoder label) then fails this test
    const { evaluateHeldOut } = await import('../../src/train/evaluate.js');
    const model = scriptedModel();
    const scored: [string, boolean][] = [];
    const score = vi.fn((completion: string, stopped: boolean) => {
      scored.push([completion, stopped]);
      return { formatValid: stopped && completion.length > 0, correct: completion === 'OK' };
    });
    const lengths: [number, string][] = [
      [9, 'a'],
      [1, 'b'],
      [5, 'c'],
      [13, 'd'],
      [5, 'e'],
      [17, 'f'],
      [21, 'g'],
      [23, 'h'],
    ];
    const set: HeldOutSet = {
      pairs: [{ prompt: [bos, ch('q')], chosen: [ch('O'), eos], rejected: [ch('x'), eos] }],
      prompts: lengths.map(([n, l]) => ({ ids: prompt(n, l), text: `${l}${n}`, score })),
      maxNewTokens: 4,
    };
    model.eval();
    const { samples, metrics } = await evaluateHeldOut(model, set, tok);
    expect(model.training).toBe(false); // the mode it found, restored
    expect(samples).toEqual([
      { prompt: 'a9', completion: '\\x05\\xff ~...', formatValid: false, correct: false },
      { prompt: 'b1', completion: 'OK', formatValid: true, correct: true },
      { prompt: 'c5', completion: 'A<bos>B<pad>...', formatValid: false, correct: false },
      { prompt: 'd13', completion: '\\x1f\\x7f\\xff', formatValid: true, correct: false },
      { prompt: 'e5', completion: 'A<bos>B<pad>...', formatValid: false, correct: false },
      { prompt: 'f17', completion: 'é', formatValid: true, correct: false },
      { prompt: 'g21', completion: '', formatValid: false, correct: false },
      { prompt: 'h23', completion: 'Z...', formatValid: false, correct: false },
    ]);
    // the score sees the decoded text (invalid bytes as U+FFFD), never an answer with a special token in it
    expect(scored.sort()).toEqual(
      [
        ['\u0005\ufffd ~', false],
        ['OK', true],
        ['\u001f\u007f\ufffd', true],
        ['é', true],
        ['', true],
        ['Z', false],
      ].sort(),
    );
    expect(metrics.eval_format_valid_rate).toBe(3 / 8);
    expect(metrics.eval_answer_accuracy).toBe(1 / 8);
  });
});
