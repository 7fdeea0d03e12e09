import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, crossEntropy, memory, noGrad, tensor, tidy } from '../../src/index.js';
import { GPT, generate, type GPTConfig } from '../../src/nn/index.js';

const tiny: GPTConfig = { vocabSize: 13, blockSize: 8, nEmbd: 16, nLayer: 2, nHead: 4, dropout: 0 };
const tokensOf = (rows: number[][]) => tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length] });

describe('GPT', () => {
  it('has exactly the Hugging Face GPT-2 parameter names and Conv1D [in, out] shapes', () => {
    const m = new GPT({ ...tiny, nLayer: 1 }, { seed: 0 });
    const got = Object.fromEntries(m.namedParameters().map(([n, p]) => [n, p.shape.join('x')]));
    expect(got).toEqual({
      'transformer.wte.weight': '13x16',
      'transformer.wpe.weight': '8x16',
      'transformer.h.0.ln_1.weight': '16',
      'transformer.h.0.ln_1.bias': '16',
      'transformer.h.0.attn.c_attn.weight': '16x48',
      'transformer.h.0.attn.c_attn.bias': '48',
      'transformer.h.0.attn.c_proj.weight': '16x16',
      'transformer.h.0.attn.c_proj.bias': '16',
      'transformer.h.0.ln_2.weight': '16',
      'transformer.h.0.ln_2.bias': '16',
      'transformer.h.0.mlp.c_fc.weight': '16x64',
      'transformer.h.0.mlp.c_fc.bias': '64',
      'transformer.h.0.mlp.c_proj.weight': '64x16',
      'transformer.h.0.mlp.c_proj.bias': '16',
      'transformer.ln_f.weight': '16',
      'transformer.ln_f.bias': '16',
    });
    m.dispose();
  });

  it('initialises like GPT-2: normal(0.02), residual projections / sqrt(2 nLayer), zero biases, unit LN gains', () => {
    const m = new GPT({ vocabSize: 300, blockSize: 64, nEmbd: 64, nLayer: 4, nHead: 4, dropout: 0 }, { seed: 1 });
    const stats = (name: string) => {
      const v = Array.from(
        m
          .namedParameters()
          .find(([n]) => n === name)![1]
          .dataSync(),
      );
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
    };
    expect(stats('transformer.wte.weight').std).toBeCloseTo(0.02, 3);
    expect(stats('transformer.h.1.attn.c_attn.weight').std).toBeCloseTo(0.02, 3);
    expect(stats('transformer.h.1.mlp.c_proj.weight').std).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(stats('transformer.h.3.attn.c_proj.weight').std).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(stats('transformer.h.0.attn.c_attn.bias')).toEqual({ mean: 0, std: 0 });
    expect(stats('transformer.ln_f.weight')).toEqual({ mean: 1, std: 0 });
    // parameters are distinct draws, not one seed reused
    expect(m.h[0].attn.cAttn.weight.dataSync().slice(0, 4)).not.toEqual(
      m.h[1].attn.cAttn.weight.dataSync().slice(0, 4),
    );
    m.dispose();
  });

  it('is reproducible from its seed', () => {
    const a = new GPT(tiny, { seed: 7 });
    const b = new GPT(tiny, { seed: 7 });
    const c = new GPT(tiny, { seed: 8 });
    const flat = (m: GPT) => m.parameters().flatMap((p) => [...p.dataSync()]);
    expect(flat(a)).toEqual(flat(b));
    expect(flat(a)).not.toEqual(flat(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('is causal: logits at positions <= t do not change when later tokens change (property)', () => {
    const m = new GPT(tiny, { seed: 2, dtype: 'float64' });
    const row = fc.array(fc.integer({ min: 0, max: tiny.vocabSize - 1 }), { minLength: 2, maxLength: tiny.blockSize });
    fc.assert(
      fc.property(row, row, fc.nat(), (a, other, tRaw) => {
        const t = tRaw % (a.length - 1);
        const b = a.map((x, i) => (i <= t ? x : other[i % other.length]));
        b[t + 1] = (a[t + 1] + 1) % tiny.vocabSize; // at least one later token really differs
        const [la, lb] = tidy(() => noGrad(() => [a, b].map((r) => m.forward(tokensOf([r])).dataSync())));
        const V = tiny.vocabSize;
        expect(Array.from(lb.subarray(0, (t + 1) * V))).toEqual(Array.from(la.subarray(0, (t + 1) * V)));
        // and the future does matter: the changed position's own logits differ
        expect(Array.from(lb.subarray((t + 1) * V, (t + 2) * V))).not.toEqual(
          Array.from(la.subarray((t + 1) * V, (t + 2) * V)),
        );
      }),
      { numRuns: 25 },
    );
    m.dispose();
  });

  it('treats each batch row independently', () => {
    const m = new GPT(tiny, { seed: 4 });
    const r1 = [1, 2, 3, 4],
      r2 = [9, 8, 7, 6];
    const [both, alone] = tidy(() =>
      noGrad(() => [m.forward(tokensOf([r1, r2])).dataSync(), m.forward(tokensOf([r2])).dataSync()]),
    );
    const half = both.length / 2;
    Array.from(alone).forEach((v, i) => expect(both[half + i]).toBeCloseTo(v, 5));
    m.dispose();
  });

  it('applies dropout only in training mode, with masks drawn from the given Rng', () => {
    const m = new GPT({ ...tiny, dropout: 0.5 }, { seed: 5 });
    const run = (seed: number) =>
      tidy(() => noGrad(() => m.forward(tokensOf([[1, 2, 3]]), { rng: new Rng(seed) }).dataSync()));
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
    m.eval();
    expect(run(1)).toEqual(run(2));
    m.dispose();
  });

  it('rejects bad tokens with a clear error', () => {
    const m = new GPT(tiny, { seed: 0 });
    expect(() => m.forward(tokensOf([[1, 13]]))).toThrow(/token id 13 .*outside \[0, vocabSize = 13\)/);
    expect(() => m.forward(tokensOf([[0, 1, 2, 3, 4, 5, 6, 7, 8]]))).toThrow(/sequence length 9/);
    expect(() => m.forward(tensor([[1, 2]]))).toThrow(/expected int32 tokens \[B, T\], got \[1,2\] float32/);
    expect(() => new GPT({ ...tiny, nHead: 3 }, { seed: 0 })).toThrow(/divisible by nHead/);
    m.dispose();
  });

  it('a training step inside tidy leaves the live tensor count unchanged', () => {
    const m = new GPT({ ...tiny, dropout: 0.1 }, { seed: 6 });
    const rng = new Rng(0);
    const step = () =>
      tidy(() => {
        const logits = m.forward(
          tokensOf([
            [1, 2, 3, 4],
            [4, 3, 2, 1],
          ]),
          { rng },
        );
        crossEntropy(logits.reshape([8, tiny.vocabSize]), tensor(Int32Array.from([2, 3, 4, 5, 3, 2, 1, 0]))).backward();
      });
    step();
    const before = memory().tensors;
    for (let i = 0; i < 3; i++) step();
    expect(memory().tensors).toBe(before);
    m.dispose();
  });
});

describe('generate', () => {
  it('greedy decoding picks the argmax of the logits at each step, batched', async () => {
    const m = new GPT(tiny, { seed: 9 });
    const prompts = [
      [1, 2],
      [3, 4],
    ];
    const out = await generate(m, prompts, { maxNewTokens: 5, temperature: 0 });
    const expected = prompts.map((p) => {
      const row = [...p];
      for (let i = 0; i < 5; i++) {
        const logits = tidy(() => noGrad(() => m.forward(tokensOf([row.slice(-tiny.blockSize)])).dataSync()));
        const last = Array.from(logits.slice(-tiny.vocabSize));
        row.push(last.indexOf(Math.max(...last)));
      }
      return row;
    });
    expect(out).toEqual(expected);
    m.dispose();
  });

  it('samples reproducibly from a seed, stays within topK, stops at the stop token and frees its tensors', async () => {
    const m = new GPT(tiny, { seed: 10 });
    const a = await generate(m, [[1], [2], [3]], { maxNewTokens: 12, temperature: 1.5, seed: 3 });
    // the first call cached the causal mask; nothing else may stay behind
    const before = memory().tensors;
    const b = await generate(m, [[1], [2], [3]], { maxNewTokens: 12, temperature: 1.5, seed: 3 });
    expect(a).toEqual(b);
    expect(a.every((r) => r.length === 13)).toBe(true);
    const top1 = await generate(m, [[1]], { maxNewTokens: 6, temperature: 1, topK: 1, seed: 5 });
    expect(top1).toEqual(await generate(m, [[1]], { maxNewTokens: 6, temperature: 0 }));
    const stopAt = a[0][3];
    const stopped = await generate(m, [[1], [2], [3]], {
      maxNewTokens: 12,
      temperature: 1.5,
      seed: 3,
      stopToken: stopAt,
    });
    expect(stopped[0]).toEqual(a[0].slice(0, a[0].indexOf(stopAt, 1) + 1));
    expect(memory().tensors).toBe(before);
    await expect(generate(m, [[1, 2], [3]], { maxNewTokens: 1 })).rejects.toThrow(/equal length/);
    m.dispose();
  });
});
