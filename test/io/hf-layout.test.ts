import { describe, expect, it } from 'vitest';
import { noGrad, tensor } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';
import { decodeSafetensors, modelFiles } from '../../src/io/index.js';

// GPT2LMHeadModel's forward written out by hand over the checkpoint's raw arrays, following transformers' modeling_gpt2
// conventions: Conv1D weights [in, out] (y = x W + b), c_attn output split into q | k | v and each into heads of
// n_embd / n_head consecutive columns, gelu_new, pre-LN blocks, ln_f, logits = h wte^T. If slimegrad's tensors
// meant anything else, the logits would differ.
function referenceLogits(
  w: Map<string, Float64Array>,
  cfg: { V: number; C: number; L: number; H: number; eps: number },
  tokens: number[],
): number[][] {
  const { V, C, L, H, eps } = cfg;
  const D = C / H;
  const T = tokens.length;
  const get = (name: string) => w.get(name)!;
  const affine = (x: number[][], W: Float64Array, b: Float64Array | null, nOut: number) =>
    x.map((row) =>
      Array.from({ length: nOut }, (_, j) => row.reduce((s, xi, i) => s + xi * W[i * nOut + j], b ? b[j] : 0)),
    );
  const ln = (x: number[][], g: Float64Array, b: Float64Array) =>
    x.map((row) => {
      const mu = row.reduce((s, v) => s + v, 0) / row.length;
      const varc = row.reduce((s, v) => s + (v - mu) ** 2, 0) / row.length;
      return row.map((v, i) => ((v - mu) / Math.sqrt(varc + eps)) * g[i] + b[i]);
    });
  const geluNew = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  const wte = get('transformer.wte.weight');
  const wpe = get('transformer.wpe.weight');
  let x = tokens.map((tok, t) => Array.from({ length: C }, (_, c) => wte[tok * C + c] + wpe[t * C + c]));
  for (let l = 0; l < L; l++) {
    const p = `transformer.h.${l}.`;
    const a = ln(x, get(`${p}ln_1.weight`), get(`${p}ln_1.bias`));
    const qkv = affine(a, get(`${p}attn.c_attn.weight`), get(`${p}attn.c_attn.bias`), 3 * C);
    const merged = Array.from({ length: T }, () => new Array<number>(C).fill(0));
    for (let h = 0; h < H; h++) {
      const q = (t: number, d: number) => qkv[t][h * D + d];
      const k = (t: number, d: number) => qkv[t][C + h * D + d];
      const v = (t: number, d: number) => qkv[t][2 * C + h * D + d];
      for (let t = 0; t < T; t++) {
        const scores = Array.from(
          { length: t + 1 },
          (_, s) => Array.from({ length: D }, (_, d) => q(t, d) * k(s, d)).reduce((u, z) => u + z, 0) / Math.sqrt(D),
        );
        const m = Math.max(...scores);
        const e = scores.map((z) => Math.exp(z - m));
        const total = e.reduce((u, z) => u + z, 0);
        for (let d = 0; d < D; d++) merged[t][h * D + d] = e.reduce((u, z, s) => u + (z / total) * v(s, d), 0);
      }
    }
    const attnOut = affine(merged, get(`${p}attn.c_proj.weight`), get(`${p}attn.c_proj.bias`), C);
    x = x.map((row, t) => row.map((val, c) => val + attnOut[t][c]));
    const hidden = affine(
      ln(x, get(`${p}ln_2.weight`), get(`${p}ln_2.bias`)),
      get(`${p}mlp.c_fc.weight`),
      get(`${p}mlp.c_fc.bias`),
      4 * C,
    ).map((r) => r.map(geluNew));
    const mlpOut = affine(hidden, get(`${p}mlp.c_proj.weight`), get(`${p}mlp.c_proj.bias`), C);
    x = x.map((row, t) => row.map((val, c) => val + mlpOut[t][c]));
  }
  const final = ln(x, get('transformer.ln_f.weight'), get('transformer.ln_f.bias'));
  return final.map((row) => Array.from({ length: V }, (_, j) => row.reduce((s, xi, i) => s + xi * wte[j * C + i], 0)));
}

describe('Hugging Face GPT-2 layout contract', () => {
  it("the saved tensors, read with transformers GPT-2 semantics, give slimegrad's logits", async () => {
    const model = new GPT(
      { vocabSize: 17, blockSize: 8, nEmbd: 12, nLayer: 2, nHead: 3, dropout: 0.1 },
      { seed: 11, dtype: 'float64' },
    );
    // non-trivial biases and LayerNorm gains, so a misplaced one would show
    noGrad(() => {
      for (const [i, p] of model.parameters().entries()) {
        p.assign(
          p.add(
            tensor(
              Float64Array.from({ length: p.size }, (_, j) => 0.05 * Math.sin(3 * i + j)),
              { shape: p.shape, dtype: 'float64' },
            ),
          ),
        );
      }
    });
    model.eval();
    const { weights } = await modelFiles(model);
    const raw = new Map(
      [...decodeSafetensors(weights, 'model.safetensors').tensors].map(([n, t]) => [n, t.data as Float64Array]),
    );
    const tokens = [3, 16, 0, 7, 7, 2];
    const expected = referenceLogits(raw, { V: 17, C: 12, L: 2, H: 3, eps: 1e-5 }, tokens);
    const got = noGrad(() =>
      model.forward(tensor(Int32Array.from(tokens), { shape: [1, tokens.length] })).arraySync(),
    ) as number[][][];
    expected.forEach((row, t) => row.forEach((v, j) => expect(got[0][t][j]).toBeCloseTo(v, 10)));
  });
});
