import { describe, expect, it } from 'vitest';
import { memory, tensor, tidy } from '../../src/index.js';
import { Embedding, LayerNorm, Linear, Module } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor.js';

class TwoLayers extends Module {
  readonly a: Linear;
  readonly b: Linear;
  readonly norm: LayerNorm;
  constructor() {
    super();
    this.a = this.registerModule('a', new Linear(3, 4, { seed: 1 }));
    this.b = this.registerModule('blocks.0.b', new Linear(4, 2, { seed: 2, bias: false }));
    this.norm = this.registerModule('norm', new LayerNorm(2, {}));
  }
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.b.forward(this.a.forward(x).gelu()));
  }
  tieAgain(): void {
    this.registerParameter('alias', this.a.weight);
  }
}

describe('Module', () => {
  it('names parameters by their dotted path, once each, and counts them', () => {
    const m = new TwoLayers();
    expect(m.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'a.weight:3,4',
      'a.bias:4',
      'blocks.0.b.weight:4,2',
      'norm.weight:2',
      'norm.bias:2',
    ]);
    m.tieAgain(); // the same tensor under a second name is listed once, under its first name
    expect(m.parameters()).toHaveLength(5);
    expect(m.numParameters()).toBe(12 + 4 + 8 + 2 + 2);
    expect(() => m.tieAgain()).toThrow(/TwoLayers: the name 'alias' is already registered/);
  });

  it('train/eval reach every submodule; zeroGrad clears every gradient', () => {
    const m = new TwoLayers();
    m.eval();
    expect([m.training, m.a.training, m.norm.training]).toEqual([false, false, false]);
    m.train();
    expect(m.b.training).toBe(true);
    tidy(() =>
      m
        .forward(tensor([[1, 2, 3]]))
        .sum()
        .backward(),
    );
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('parameters survive tidy scopes they were created in, and dispose frees them', () => {
    const before = memory().tensors;
    const m = tidy(() => new TwoLayers());
    expect(m.parameters().every((p) => !p.isDisposed)).toBe(true);
    m.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('layers compute what they say: Linear is x W + b with W [in, out]; Embedding picks rows', () => {
    const lin = new Linear(2, 3, { seed: 0 });
    const W = lin.weight.arraySync() as number[][];
    const y = lin.forward(tensor([[1, -2]])).arraySync() as number[][];
    W[0].forEach((_, j) => expect(y[0][j]).toBeCloseTo(1 * W[0][j] - 2 * W[1][j], 6));
    expect(() => lin.forward(tensor([[1, 2, 3]]))).toThrow(/Linear.forward: expected input \[\.\.\., 2\], got \[1,3\]/);
    const emb = new Embedding(5, 2, { seed: 0 });
    const rows = emb.weight.arraySync() as number[][];
    expect(emb.forward(tensor(Int32Array.from([4, 0]), { shape: [2] })).arraySync()).toEqual([rows[4], rows[0]]);
  });
});
