// The op-layer rules of the fused attention and LayerNorm-affine paths, gradchecked in float64 on the CPU. The CPU
// backend has neither primitive, so for these tests it gets float64 implementations written out here (the same
// algorithm as the WebGPU kernels: scores for s <= t, softmax, dropout from the mask `dropout` would make, the
// product with v; the backward from the saved probabilities). Central differences of the fused forward then check
// the fused backward and how the op wires it (which gradient goes to q, k, v, weight, bias), and gradgradcheck checks
// the fallback to the composition when a graph of the backward is recorded. The kernels themselves are compared with
// the composed ops in test/webgpu/attention.test.ts and affine.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttentionSpec, Backend, Storage } from '../../src/backends/backend.js';
import { getBackend, gradcheck, gradgradcheck, layerNorm, tensor } from '../../src/index.js';
import { causalAttention } from '../../src/autograd/ops/attention.js';
import { uniformArray } from '../../src/random.js';

const cpu = getBackend('cpu');
const arr = (s: Storage) => cpu.readSync!(s) as Float64Array;
const wrap = (a: Float64Array) => cpu.fromArray(a, 'float64');
let calls = 0;

/** Index helpers over qkv [B, T, 3, H, D] and rows [B, H, T, T]. */
function layout(s: AttentionSpec) {
  const { seq: T, heads: H, headDim: D } = s;
  const C = H * D;
  return {
    at: (b: number, t: number, part: number, h: number, d: number) => ((b * T + t) * 3 + part) * C + h * D + d,
    row: (b: number, h: number, t: number) => ((b * H + h) * T + t) * T,
    y: (b: number, t: number, h: number, d: number) => (b * T + t) * C + h * D + d,
  };
}

function keepScales(s: AttentionSpec, n: number, seed: number | undefined): Float64Array {
  const k = new Float64Array(n).fill(1);
  if (!s.dropout || seed === undefined) return k;
  const u = uniformArray(n, seed);
  for (let i = 0; i < n; i++) k[i] = u[i] >= s.dropout.p ? 1 / (1 - s.dropout.p) : 0;
  return k;
}

let dropSeed: number | undefined;

const patch: Partial<Backend> = {
  attention(qkv, s) {
    calls++;
    const x = arr(qkv);
    const { batch: B, seq: T, heads: H, headDim: D } = s;
    const L = layout(s);
    const probs = new Float64Array(B * H * T * T);
    const keep = keepScales(s, probs.length, dropSeed);
    const dropped = new Float64Array(probs.length);
    const y = new Float64Array(B * T * H * D);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++) {
          const r = L.row(b, h, t);
          let m = -Infinity;
          for (let u = 0; u <= t; u++) {
            let acc = 0;
            for (let d = 0; d < D; d++) acc += x[L.at(b, t, 0, h, d)] * s.scale * x[L.at(b, u, 1, h, d)];
            probs[r + u] = acc;
            m = Math.max(m, acc);
          }
          let sum = 0;
          for (let u = 0; u <= t; u++) sum += Math.exp(probs[r + u] - m);
          for (let u = 0; u < T; u++) {
            probs[r + u] = u <= t ? Math.exp(probs[r + u] - m) / sum : 0;
            dropped[r + u] = probs[r + u] * keep[r + u];
          }
          for (let d = 0; d < D; d++) {
            let acc = 0;
            for (let u = 0; u <= t; u++) acc += dropped[r + u] * x[L.at(b, u, 2, h, d)];
            y[L.y(b, t, h, d)] = acc;
          }
        }
    return { y: wrap(y), probs: wrap(probs), dropped: s.dropout ? wrap(dropped) : undefined };
  },
  attentionBackward(qkv, probsS, droppedS, gyS, s) {
    const [x, P, PD, gy] = [qkv, probsS, droppedS, gyS].map(arr);
    const { batch: B, seq: T, heads: H, headDim: D } = s;
    const L = layout(s);
    const keep = keepScales(s, P.length, dropSeed);
    const dx = new Float64Array(x.length);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++) {
          const r = L.row(b, h, t);
          const dp = new Float64Array(T);
          let dot = 0;
          for (let u = 0; u <= t; u++) {
            for (let d = 0; d < D; d++) dp[u] += gy[L.y(b, t, h, d)] * x[L.at(b, u, 2, h, d)];
            dp[u] *= keep[r + u];
            dot += dp[u] * P[r + u];
          }
          for (let u = 0; u <= t; u++) {
            const ds = P[r + u] * (dp[u] - dot);
            for (let d = 0; d < D; d++) {
              dx[L.at(b, t, 0, h, d)] += ds * x[L.at(b, u, 1, h, d)] * s.scale;
              dx[L.at(b, u, 1, h, d)] += ds * x[L.at(b, t, 0, h, d)] * s.scale;
              dx[L.at(b, u, 2, h, d)] += PD[r + u] * gy[L.y(b, t, h, d)];
            }
          }
        }
    return wrap(dx);
  },
  affine(xS, wS, bS, _rows, d) {
    calls++;
    const [x, w, b] = [xS, wS, bS].map(arr);
    return wrap(Float64Array.from(x, (v, i) => v * w[i % d] + b[i % d]));
  },
  affineBackward(xS, gS, rows, d) {
    const [x, g] = [xS, gS].map(arr);
    const dw = new Float64Array(d);
    const db = new Float64Array(d);
    for (let i = 0; i < rows * d; i++) {
      dw[i % d] += g[i] * x[i];
      db[i % d] += g[i];
    }
    return { dw: wrap(dw), db: wrap(db) };
  },
};

const values = (n: number, seed: number, k: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * k);

describe('fused attention and affine rules, gradchecked in float64', () => {
  beforeAll(() => Object.assign(cpu, patch));
  afterAll(() => {
    for (const key of Object.keys(patch)) delete (cpu as unknown as Record<string, unknown>)[key];
  });

  const [B, T, H, D] = [2, 4, 2, 3];
  const mask = () =>
    tensor(
      Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)),
      { shape: [T, T], dtype: 'float64' },
    );
  const qkv = () => tensor(values(B * T * 3 * H * D, 1, 1.2), { shape: [B, T, 3 * H * D], dtype: 'float64' });

  for (const dropout of [0, 0.4]) {
    it(`causalAttention, dropout ${dropout}: gradcheck and gradgradcheck`, () => {
      const causalMask = mask();
      dropSeed = dropout > 0 ? 5 : undefined;
      const f = (x: (typeof causalMask)[]) => {
        const y = causalAttention(x[0], { heads: H, causalMask, dropout, seed: 5, training: true });
        return y.mul(y.add(0.3)).sum();
      };
      calls = 0;
      const first = gradcheck((x) => f([x]), [qkv()]);
      expect(first.ok, first.message).toBe(true);
      expect(calls).toBeGreaterThan(0); // the fused path ran
      const second = gradgradcheck((x) => f([x]), [qkv()]);
      expect(second.ok, second.message).toBe(true);
    });
  }

  it('layerNorm with weight and bias: gradcheck of x, weight and bias, and gradgradcheck', () => {
    const x = tensor(values(15, 2, 2), { shape: [3, 5], dtype: 'float64' });
    const w = tensor(values(5, 3, 1), { dtype: 'float64' });
    const b = tensor(values(5, 4, 1), { dtype: 'float64' });
    const f = (a: typeof x, ww: typeof x, bb: typeof x) => {
      const y = layerNorm(a, ww, bb);
      return y.mul(y).sum();
    };
    calls = 0;
    const first = gradcheck(f, [x, w, b]);
    expect(first.ok, first.message).toBe(true);
    expect(calls).toBeGreaterThan(0);
    const second = gradgradcheck(f, [x, w, b]);
    expect(second.ok, second.message).toBe(true);
  });
});
