// generate() pinned by values (issue 12, mutation testing): each sampled token is recomputed here from the model's
// own logits with an inverse-CDF draw written out independently, the option checks are met at both sides of each
// bound, and a non-finite logit is reported with its row and step.

import { describe, expect, it } from 'vitest';
import { noGrad, tensor, tidy } from '../../src/index.js';
import { GPT, generate, type GPTConfig } from '../../src/nn/index.js';
import { Rng, uniformArray } from '../../src/random.js';
import type { Tensor } from '../../src/tensor.js';

const cfg: GPTConfig = { vocabSize: 9, blockSize: 6, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };

/** Last-position logits of each row, read straight from the model. */
function lastLogits(m: GPT, rows: number[][]): number[][] {
  const T = rows[0].length;
  const V = m.config.vocabSize;
  const flat = tidy(() =>
    noGrad(() => m.forward(tensor(Int32Array.from(rows.flat()), { shape: [rows.length, T] })).dataSync()),
  );
  return rows.map((_, b) => Array.from(flat.subarray((b * T + T - 1) * V, (b * T + T) * V)));
}

/** The token an inverse-CDF draw with uniform u picks from softmax(logits / temperature) over the top k. */
function expectedPick(logits: number[], temperature: number, topK: number | undefined, u: number): number {
  const ranked = logits.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i);
  const kept = ranked.slice(0, topK ?? ranked.length);
  const w = kept.map(({ v }) => Math.exp((v - kept[0].v) / temperature));
  const z = w.reduce((s, x) => s + x, 0);
  let c = 0;
  for (let j = 0; j < kept.length; j++) {
    c += w[j] / z;
    if (u < c) return kept[j].i;
  }
  return kept[kept.length - 1].i;
}

/** Overwrites one element of a CPU parameter in place (the CPU's readSync hands out the live array). */
function poke(p: Tensor, index: number, value: number): void {
  p.backend.readSync!(p.storage)[index] = value;
}

describe('generate, by value', () => {
  it('draws each row with its own uniform, after temperature and top-k, from the model logits', async () => {
    const m = new GPT(cfg, { seed: 3, dtype: 'float64' });
    const prompts = [
      [1, 2],
      [4, 0],
      [7, 7],
    ];
    const logits = lastLogits(m, prompts);
    // sharpened and flattened distributions, with and without a top-k cut, over several seeds
    for (const [temperature, topK] of [
      [0.3, undefined],
      [2, undefined],
      [1, 3],
      [5, 2],
    ] as const) {
      for (const seed of [0, 1, 2, 11]) {
        const u = uniformArray(prompts.length, new Rng(seed).nextSeed());
        const out = await generate(m, prompts, { maxNewTokens: 1, temperature, topK, seed });
        expect(out).toEqual(prompts.map((p, b) => [...p, expectedPick(logits[b], temperature, topK, u[b])]));
      }
    }
    m.dispose();
  });

  it('a flat distribution picks floor(u * k) among the k lowest ids; ties break by the lower id', async () => {
    const m = new GPT(cfg, { seed: 4 });
    // a zero token table makes the tied LM head give every token the same logit
    m.wte.weight.backend.readSync!(m.wte.weight.storage).fill(0);
    const prompts = [[1], [2], [3], [5]];
    const seed = 6;
    const u = uniformArray(prompts.length, new Rng(seed).nextSeed());
    const all = await generate(m, prompts, { maxNewTokens: 1, seed });
    expect(all.map((r) => r[1])).toEqual(Array.from(u, (x) => Math.floor(x * cfg.vocabSize)));
    const top3 = await generate(m, prompts, { maxNewTokens: 1, seed, topK: 3 });
    expect(top3.map((r) => r[1])).toEqual(Array.from(u, (x) => Math.floor(x * 3)));
    const greedy = await generate(m, prompts, { maxNewTokens: 2, temperature: 0 });
    expect(greedy).toEqual(prompts.map((p) => [...p, 0, 0]));
    m.dispose();
  });

  it('a tiny temperature sharpens without overflow: weights are taken relative to the top logit', async () => {
    const m = new GPT(cfg, { seed: 12, dtype: 'float64' });
    const prompts = [[2, 5]];
    const logits = lastLogits(m, prompts);
    // logits / 1e-5 reach thousands, so exp of them unshifted would overflow
    expect(Math.max(...logits[0].map(Math.abs)) / 1e-5).toBeGreaterThan(800);
    for (const seed of [0, 1, 2]) {
      const u = uniformArray(1, new Rng(seed).nextSeed());
      const out = await generate(m, prompts, { maxNewTokens: 1, temperature: 1e-5, seed });
      expect(out).toEqual([[2, 5, expectedPick(logits[0], 1e-5, undefined, u[0])]]);
    }
    m.dispose();
  });

  it('ties in a large vocabulary go to the lowest id', async () => {
    const m = new GPT({ ...cfg, vocabSize: 300 }, { seed: 13 });
    m.wte.weight.backend.readSync!(m.wte.weight.storage).fill(0);
    expect(await generate(m, [[7], [299]], { maxNewTokens: 2, temperature: 0 })).toEqual([
      [7, 0, 0],
      [299, 0, 0],
    ]);
    expect(await generate(m, [[7]], { maxNewTokens: 1, topK: 1, seed: 3 })).toEqual([[7, 0]]);
    m.dispose();
  });

  it('reads only the last blockSize tokens of a long prompt', async () => {
    const m = new GPT(cfg, { seed: 5, dtype: 'float64' });
    const prompt = [1, 2, 3, 4, 5, 6, 7, 8];
    const logits = lastLogits(m, [prompt.slice(-cfg.blockSize)])[0];
    const out = await generate(m, [prompt], { maxNewTokens: 1, temperature: 0 });
    expect(out).toEqual([[...prompt, logits.indexOf(Math.max(...logits))]]);
    m.dispose();
  });

  it('samples in eval mode and restores the training flag it found', async () => {
    const m = new GPT({ ...cfg, dropout: 0.5 }, { seed: 6, dtype: 'float64' });
    m.eval();
    const logits = lastLogits(m, [[3, 1]])[0];
    m.train();
    const out = await generate(m, [[3, 1]], { maxNewTokens: 1, temperature: 0 });
    expect(out).toEqual([[3, 1, logits.indexOf(Math.max(...logits))]]);
    expect(m.training).toBe(true);
    m.eval();
    await generate(m, [[3, 1]], { maxNewTokens: 1, temperature: 0 });
    expect(m.training).toBe(false);
    m.dispose();
  });

  it('a row that meets the stop token ends there while the others run to maxNewTokens', async () => {
    const m = new GPT(cfg, { seed: 7 });
    const free = await generate(m, [[1], [2]], { maxNewTokens: 5, temperature: 0 });
    const stop = free[0][2];
    const stopped = await generate(m, [[1], [2]], { maxNewTokens: 5, temperature: 0, stopToken: stop });
    expect(stopped[0]).toEqual(free[0].slice(0, free[0].indexOf(stop, 1) + 1));
    const end1 = free[1].indexOf(stop, 1);
    expect(stopped[1]).toEqual(end1 < 0 ? free[1] : free[1].slice(0, end1 + 1));
    // with every row stopped at once, nothing more is generated
    const both = await generate(m, [[1]], { maxNewTokens: 5, temperature: 0, stopToken: free[0][1] });
    expect(both).toEqual([free[0].slice(0, 2)]);
    expect(await generate(m, [[1], [2]], { maxNewTokens: 0 })).toEqual([[1], [2]]);
    m.dispose();
  });

  it('refuses bad options at each side of every bound', async () => {
    const m = new GPT(cfg, { seed: 8 });
    const bad = async (prompts: number[][], opts: Parameters<typeof generate>[2], msg: string) =>
      expect(generate(m, prompts, opts)).rejects.toThrow(msg);
    await bad([], { maxNewTokens: 1 }, 'generate: prompts must be non-empty rows of equal length, got lengths []');
    await bad([[1], []], { maxNewTokens: 1 }, 'rows of equal length, got lengths [1,0]');
    await bad([[], []], { maxNewTokens: 1 }, 'got lengths [0,0]');
    await bad([[1]], { maxNewTokens: -1 }, 'generate: maxNewTokens must be an integer >= 0, got -1');
    await bad([[1]], { maxNewTokens: 1.5 }, 'maxNewTokens must be an integer >= 0, got 1.5');
    await bad([[1]], { maxNewTokens: 1, temperature: -0.1 }, 'generate: temperature must be >= 0, got -0.1');
    await bad([[1]], { maxNewTokens: 1, temperature: Number.NaN }, 'temperature must be >= 0, got NaN');
    await bad([[1]], { maxNewTokens: 1, topK: 0 }, 'generate: topK must be an integer >= 1, got 0');
    await bad([[1]], { maxNewTokens: 1, topK: 1.5 }, 'topK must be an integer >= 1, got 1.5');
    // the bounds themselves are allowed
    expect(await generate(m, [[1]], { maxNewTokens: 1, temperature: 0, topK: 1 })).toHaveLength(1);
    m.dispose();
  });

  it('stops on a non-finite logit, naming it, its row and its step', async () => {
    const m = new GPT(cfg, { seed: 9 });
    // token 0's vector NaN: through the tied head every row's logit for token 0 (flat index 0) is NaN
    poke(m.wte.weight, 0, Number.NaN);
    await expect(generate(m, [[1], [2]], { maxNewTokens: 1 })).rejects.toThrow(
      'generate: the model produced a non-finite logit (NaN) for row 0 at step 0',
    );
    const n = new GPT(cfg, { seed: 9 });
    // the last token's vector infinite: the first bad logit is at flat index V - 1, still row 0
    poke(n.wte.weight, (cfg.vocabSize - 1) * cfg.nEmbd, Number.POSITIVE_INFINITY);
    await expect(generate(n, [[1]], { maxNewTokens: 1 })).rejects.toThrow(
      /non-finite logit \(.*\) for row 0 at step 0/,
    );
    const p = new GPT(cfg, { seed: 9 });
    // position 2 poisoned: steps 0 and 1 read positions 0-1 only, step 2 reads position 2
    poke(p.wpe.weight, 2 * cfg.nEmbd, Number.NaN);
    await expect(generate(p, [[1]], { maxNewTokens: 4, temperature: 0 })).rejects.toThrow(
      'non-finite logit (NaN) for row 0 at step 2',
    );
    [m, n, p].forEach((x) => x.dispose());
  });
});
