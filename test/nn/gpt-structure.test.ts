// The GPT's structure pinned by values: a forward pass written out here from the model's own parameter tensors
// and primitive ops (LayerNorm spelled out with the configured epsilon, each dropout site in GPT-2's order),
// every parameter's initial std, and which parameters AdamW decays.

import { describe, expect, it } from 'vitest';
import { Rng, tensor, type Tensor } from '../../src/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';

const cfg: GPTConfig = {
  vocabSize: 11,
  blockSize: 6,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
  dropout: 0.3,
  layerNormEpsilon: 0.5,
};

/** LayerNorm over the last axis from primitives, with the epsilon the config asked for. */
function layerNorm(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
  const mu = x.mean(-1, true);
  const centred = x.sub(mu);
  return centred.div(centred.square().mean(-1, true).add(eps).sqrt()).mul(w).add(b);
}

/** GPT-2's forward, site by site; `drop` is the only way dropout enters, so a missing site changes the result. */
function referenceForward(m: GPT, tokens: number[][], drop: (x: Tensor) => Tensor): Tensor {
  const [B, T] = [tokens.length, tokens[0].length];
  const { nEmbd: C, nHead: H, layerNormEpsilon: eps } = m.config;
  const D = C / H;
  const ids = tensor(tokens.flat(), { shape: [B, T], dtype: 'int32' });
  let x = m.wte.weight.gather(0, ids.reshape([B * T, 1]).broadcastTo([B * T, C])).reshape([B, T, C]);
  x = drop(x.add(m.wpe.weight.slice([0], [T])));
  const causal = tensor(
    Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)),
    { shape: [T, T], dtype: 'int32' },
  );
  for (const block of m.h) {
    const a = layerNorm(x, block.ln1.weight, block.ln1.bias, eps)
      .matmul(block.attn.cAttn.weight)
      .add(block.attn.cAttn.bias!);
    const heads = (i: number) =>
      a
        .slice([0, 0, i * C], [B, T, (i + 1) * C])
        .reshape([B, T, H, D])
        .permute([0, 2, 1, 3]);
    const [q, k, v] = [heads(0), heads(1), heads(2)];
    const scores = q.matmul(k.transpose(-1, -2)).div(Math.sqrt(D)).where(causal, -1e9);
    const attn = drop(scores.softmax(-1)).matmul(v).permute([0, 2, 1, 3]).reshape([B, T, C]);
    x = x.add(drop(attn.matmul(block.attn.cProj.weight).add(block.attn.cProj.bias!)));
    const f = layerNorm(x, block.ln2.weight, block.ln2.bias, eps)
      .matmul(block.mlp.cFc.weight)
      .add(block.mlp.cFc.bias!)
      .gelu();
    x = x.add(drop(f.matmul(block.mlp.cProj.weight).add(block.mlp.cProj.bias!)));
  }
  return layerNorm(x, m.lnF.weight, m.lnF.bias, eps).matmul(m.wte.weight.transpose(0, 1));
}

const tokens = [
  [1, 4, 2, 9, 0],
  [3, 3, 10, 5, 7],
];
const maxDiff = (a: Tensor, b: Tensor) =>
  Math.max(...Array.from(a.dataSync(), (x, i) => Math.abs(x - b.dataSync()[i])));

describe('GPT forward, site by site', () => {
  it('training mode: dropout after the embeddings, on the attention probabilities and on both residual branches', () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const got = model.forward(tensor(tokens.flat(), { shape: [2, 5], dtype: 'int32' }), { rng: new Rng(42) });
    const rng = new Rng(42);
    const want = referenceForward(model, tokens, (x) => x.dropout(cfg.dropout, rng.nextSeed(), true));
    expect(maxDiff(got, want)).toBeLessThan(1e-12);
    // dropout does change the result (so the comparison would see a missing site)
    const plain = referenceForward(model, tokens, (x) => x);
    expect(maxDiff(got, plain)).toBeGreaterThan(1e-3);
  });

  it('eval mode: no dropout anywhere, and the configured LayerNorm epsilon', () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    model.eval();
    const got = model.forward(tensor(tokens.flat(), { shape: [2, 5], dtype: 'int32' }));
    expect(
      maxDiff(
        got,
        referenceForward(model, tokens, (x) => x),
      ),
    ).toBeLessThan(1e-12);
    // epsilon 0.5 matters: GPT-2's 1e-5 gives a visibly different result
    const defaultEps = new GPT({ ...cfg, layerNormEpsilon: undefined }, { seed: 1, dtype: 'float64' });
    defaultEps.eval();
    expect(maxDiff(got, defaultEps.forward(tensor(tokens.flat(), { shape: [2, 5], dtype: 'int32' })))).toBeGreaterThan(
      1e-3,
    );
  });
});

describe('GPT parameters', () => {
  const big: GPTConfig = { vocabSize: 300, blockSize: 64, nEmbd: 64, nLayer: 4, nHead: 4, dropout: 0 };
  const model = new GPT(big, { seed: 3, dtype: 'float64' });
  const projStd = 0.02 / Math.sqrt(2 * big.nLayer);

  /** GPT-2's initialisation, by Hugging Face name: [mean, std] (std 0 means a constant). */
  function expectedInit(name: string): [number, number] {
    if (/ln_[12f]\.weight$/.test(name)) return [1, 0];
    if (name.endsWith('.bias')) return [0, 0];
    if (/c_proj\.weight$/.test(name)) return [0, projStd];
    return [0, 0.02];
  }

  it('every parameter starts with its GPT-2 mean and std', () => {
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toHaveLength(2 + 12 * big.nLayer + 2);
    for (const [name, p] of model.namedParameters()) {
      const xs = Array.from(p.dataSync());
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
      const [wantMean, wantStd] = expectedInit(name);
      if (wantStd === 0) {
        expect(
          xs.every((x) => x === wantMean),
          name,
        ).toBe(true);
      } else {
        // at least 4096 draws each: the sample std is within 5% with overwhelming probability
        expect(xs.length, name).toBeGreaterThanOrEqual(4096);
        expect(Math.abs(std / wantStd - 1), `${name} std ${std}`).toBeLessThan(0.05);
        expect(Math.abs(mean), name).toBeLessThan(wantStd * 0.1);
      }
    }
  });

  it('AdamW decays the weight matrices and leaves wte, wpe, biases and LayerNorm alone', () => {
    const m = new GPT({ ...big, nLayer: 1 }, { seed: 4, dtype: 'float64' });
    const before = new Map(m.namedParameters().map(([n, p]) => [n, Array.from(p.dataSync())]));
    // zero gradients: Adam's own update is 0/(0 + eps) = 0, so only the decoupled decay moves a parameter
    m.parameters()
      .map((p) => p.sum())
      .reduce((a, b) => a.add(b))
      .mul(0)
      .backward();
    new AdamW(m.namedParameters(), { lr: 0.1, weightDecay: 0.5 }).step();
    const decayed = m
      .namedParameters()
      .filter(([n, p]) => {
        const b = before.get(n)!;
        const now = p.dataSync();
        const shrunk = b.every((x, i) => Math.abs(now[i] - x * 0.95) < 1e-15);
        const same = b.every((x, i) => now[i] === x);
        expect(shrunk || same, n).toBe(true);
        return !same;
      })
      .map(([n]) => n);
    expect(decayed.sort()).toEqual([
      'transformer.h.0.attn.c_attn.weight',
      'transformer.h.0.attn.c_proj.weight',
      'transformer.h.0.mlp.c_fc.weight',
      'transformer.h.0.mlp.c_proj.weight',
    ]);
  });
});
