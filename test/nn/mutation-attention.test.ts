// CausalSelfAttention on its own (issue 12, mutation testing): its shape checks and their messages, the head size,
// its parameter names and init, and a forward pass against one written out here from its own weights and
// primitive ops (GPT's tests reach it only through whole models, where GPT's own checks run first).

import { describe, expect, it } from 'vitest';
import { Rng, tensor } from '../../src/index.js';
import { CausalSelfAttention, type ForwardContext } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor.js';

const std = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
};

function make(nEmbd: number, nHead: number, projStd = 0.02): CausalSelfAttention {
  let s = 10;
  return new CausalSelfAttention(nEmbd, nHead, { seeds: () => ++s, projStd, dtype: 'float64' });
}

function context(T: number, training: boolean, dropout: number, rng: Rng): ForwardContext {
  const mask = Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0));
  return {
    causalMask: tensor(mask, { shape: [T, T], dtype: 'int32' }),
    dropout,
    training,
    nextSeed: () => rng.nextSeed(),
  };
}

/** The attention written out: q, k, v heads, scaled scores, causal mask, softmax, merge, projection. */
function reference(m: CausalSelfAttention, x: Tensor, drop: (t: Tensor) => Tensor): Tensor {
  const [B, T, C] = x.shape;
  const H = m.nHead;
  const D = C / H;
  const a = x.matmul(m.cAttn.weight).add(m.cAttn.bias!);
  const heads = (i: number) =>
    a
      .slice([0, 0, i * C], [B, T, (i + 1) * C])
      .reshape([B, T, H, D])
      .permute([0, 2, 1, 3]);
  const causal = tensor(
    Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)),
    { shape: [T, T], dtype: 'int32' },
  );
  const scores = heads(0).matmul(heads(1).transpose(-1, -2)).div(Math.sqrt(D)).where(causal, -1e9);
  const merged = drop(scores.softmax(-1)).matmul(heads(2)).permute([0, 2, 1, 3]).reshape([B, T, C]);
  return drop(merged.matmul(m.cProj.weight).add(m.cProj.bias!));
}

const maxDiff = (a: Tensor, b: Tensor) =>
  Math.max(...Array.from(a.dataSync(), (v, i) => Math.abs(v - b.dataSync()[i])));

describe('CausalSelfAttention', () => {
  it('checks nEmbd against nHead and the input shape, with messages naming both', () => {
    expect(() => make(6, 4)).toThrow('CausalSelfAttention: nEmbd (6) must be divisible by nHead (4)');
    const m = make(6, 3);
    expect(m.headDim).toBe(2);
    expect(make(8, 2).headDim).toBe(4);
    const ctx = context(2, false, 0, new Rng(1));
    // the right last axis at the wrong rank, and the right rank with the wrong last axis: each check alone
    expect(() => m.forward(tensor(new Array(12).fill(0), { shape: [2, 6], dtype: 'float64' }), ctx)).toThrow(
      'CausalSelfAttention.forward: expected [B, T, 6], got [2,6]',
    );
    expect(() => m.forward(tensor(new Array(8).fill(0), { shape: [1, 2, 4], dtype: 'float64' }), ctx)).toThrow(
      'CausalSelfAttention.forward: expected [B, T, 6], got [1,2,4]',
    );
    // rank 4 with nEmbd on axis 2: only the rank check can refuse it
    expect(() => m.forward(tensor(new Array(24).fill(0), { shape: [1, 2, 6, 2], dtype: 'float64' }), ctx)).toThrow(
      'CausalSelfAttention.forward: expected [B, T, 6], got [1,2,6,2]',
    );
  });

  it('registers c_attn (nEmbd -> 3 nEmbd) and c_proj (drawn with projStd), each from its own seed', () => {
    const m = make(60, 4, 0.3);
    expect(m.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'c_attn.weight:60,180',
      'c_attn.bias:180',
      'c_proj.weight:60,60',
      'c_proj.bias:60',
    ]);
    expect(std(m.cAttn.weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(std(m.cProj.weight.dataSync())).toBeCloseTo(0.3, 1);
  });

  for (const training of [false, true]) {
    it(`forward equals attention written out from primitives (${training ? 'training, dropout' : 'eval'})`, () => {
      const m = make(6, 3, 0.4);
      const x = tensor(
        Array.from({ length: 2 * 4 * 6 }, (_, i) => Math.sin(i * 1.7) * 1.5),
        { shape: [2, 4, 6], dtype: 'float64' },
      );
      const got = m.forward(x, context(4, training, 0.3, new Rng(7)));
      const rng = new Rng(7);
      const want = reference(m, x, (t) => t.dropout(0.3, rng.nextSeed(), training));
      expect(got.shape).toEqual([2, 4, 6]);
      expect(maxDiff(got, want)).toBeLessThan(1e-12);
      // future positions matter when unmasked and dropout changes values: the comparison can see both
      if (training)
        expect(
          maxDiff(
            got,
            reference(m, x, (t) => t),
          ),
        ).toBeGreaterThan(1e-3);
    });
  }
});
