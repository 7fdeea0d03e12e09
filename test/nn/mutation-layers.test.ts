// The small layers and Module pinned by values (issue 12, mutation testing): LayerNorm against the formula written
// out here, Linear with and without bias, the init options, and Module's registration, modes and disposal.

import { describe, expect, it } from 'vitest';
import { memory, tensor, tidy } from '../../src/index.js';
import { Embedding, LayerNorm, Linear, MLP, Module } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor.js';

const std = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
};

describe('LayerNorm by value', () => {
  it('normalises the last axis with its epsilon (default 1e-5), then scales and shifts', () => {
    const x = [
      [1, 2, 4],
      [-3, 0, 0.5],
    ];
    const expected = (eps: number, w: number[], b: number[]) =>
      x.map((row) => {
        const mu = row.reduce((s, v) => s + v, 0) / row.length;
        const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / row.length;
        return row.map((v, i) => ((v - mu) / Math.sqrt(variance + eps)) * w[i] + b[i]);
      });
    const close = (got: number[][], want: number[][]) =>
      got.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i], 10));
    const plain = new LayerNorm(3, { dtype: 'float64' });
    expect(plain.eps).toBe(1e-5);
    expect(Array.from(plain.weight.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(plain.bias.dataSync())).toEqual([0, 0, 0]);
    close(
      plain.forward(tensor(x, { dtype: 'float64' })).arraySync() as number[][],
      expected(1e-5, [1, 1, 1], [0, 0, 0]),
    );
    // a large epsilon shows in the values
    const wide = new LayerNorm(3, { dtype: 'float64', eps: 2 });
    expect(wide.eps).toBe(2);
    wide.weight.backend.readSync!(wide.weight.storage).set([2, -1, 0.5]);
    wide.bias.backend.readSync!(wide.bias.storage).set([0.1, 0.2, -0.3]);
    close(
      wide.forward(tensor(x, { dtype: 'float64' })).arraySync() as number[][],
      expected(2, [2, -1, 0.5], [0.1, 0.2, -0.3]),
    );
    expect(wide.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });
});

describe('Linear and Embedding options', () => {
  it('bias: false registers no bias and adds none; the default bias starts at zero and is added', () => {
    const noBias = new Linear(2, 3, { seed: 4, bias: false, dtype: 'float64' });
    expect(noBias.bias).toBe(null);
    expect(noBias.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const W = noBias.weight.arraySync() as number[][];
    const y = noBias.forward(tensor([[2, -1]], { dtype: 'float64' })).arraySync() as number[][];
    expect(y[0]).toEqual(W[0].map((_, j) => 2 * W[0][j] - W[1][j]));
    const withBias = new Linear(2, 3, { seed: 4, dtype: 'float64' });
    expect(withBias.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(Array.from(withBias.bias!.dataSync())).toEqual([0, 0, 0]);
    withBias.bias!.backend.readSync!(withBias.bias!.storage).set([10, 20, 30]);
    const z = withBias.forward(tensor([[2, -1]], { dtype: 'float64' })).arraySync() as number[][];
    z[0].forEach((v, j) => expect(v).toBeCloseTo(2 * W[0][j] - W[1][j] + 10 * (j + 1), 12));
    expect(() => withBias.forward(tensor([1, 2, 3], { dtype: 'float64' }))).toThrow(
      'Linear.forward: expected input [..., 2], got [3]',
    );
  });

  it('weights are drawn with the given std (0.02 by default) from the given seed', () => {
    const big = 200;
    expect(std(new Linear(big, big, { seed: 1 }).weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(std(new Linear(big, big, { seed: 1, std: 0.5 }).weight.dataSync())).toBeCloseTo(0.5, 2);
    expect(std(new Embedding(big, big, { seed: 1 }).weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(std(new Embedding(big, big, { seed: 1, std: 0.3 }).weight.dataSync())).toBeCloseTo(0.3, 2);
    const a = new Embedding(3, 2, { seed: 5 }).weight.dataSync();
    expect(Array.from(new Embedding(3, 2, { seed: 5 }).weight.dataSync())).toEqual(Array.from(a));
    expect(Array.from(new Embedding(3, 2, { seed: 6 }).weight.dataSync())).not.toEqual(Array.from(a));
    expect(new Embedding(3, 2, { seed: 5, dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('MLP projects to 4 nEmbd and back, its output projection drawn with projStd', () => {
    let s = 0;
    const mlp = new MLP(50, { seeds: () => ++s, projStd: 0.2 });
    expect(mlp.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'c_fc.weight:50,200',
      'c_fc.bias:200',
      'c_proj.weight:200,50',
      'c_proj.bias:50',
    ]);
    expect(std(mlp.cFc.weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(std(mlp.cProj.weight.dataSync())).toBeCloseTo(0.2, 2);
    expect(s).toBe(2);
  });
});

class Pair extends Module {
  readonly a = this.registerModule('a', new Linear(2, 2, { seed: 1 }));
  readonly b = this.registerModule('b', new LayerNorm(2, {}));
  reuse(name: string): void {
    this.registerModule(name, new LayerNorm(2, {}));
  }
  forward(x: Tensor): Tensor {
    return this.b.forward(this.a.forward(x));
  }
}

describe('Module', () => {
  it('a submodule name may not repeat a module or parameter name', () => {
    const p = new Pair();
    expect(() => p.reuse('a')).toThrow("Pair: the name 'a' is already registered");
    p.reuse('c');
    expect(p.namedParameters().map(([n]) => n)).toEqual([
      'a.weight',
      'a.bias',
      'b.weight',
      'b.bias',
      'c.weight',
      'c.bias',
    ]);
  });

  it('train() and train(true) switch training on, train(false) and eval() off, at every depth', () => {
    const p = new Pair();
    expect([p.training, p.a.training]).toEqual([true, true]);
    expect(p.train(false)).toBe(p);
    expect([p.training, p.a.training, p.b.training]).toEqual([false, false, false]);
    p.train(true);
    expect([p.training, p.a.training, p.b.training]).toEqual([true, true, true]);
    expect(p.eval()).toBe(p);
    expect([p.training, p.b.training]).toEqual([false, false]);
    p.train();
    expect([p.training, p.b.training]).toEqual([true, true]);
  });

  it('dispose frees parameters and their gradients', () => {
    const before = memory().tensors;
    const p = new Pair();
    tidy(() => {
      p.forward(tensor([[1, 3]]))
        .square()
        .sum()
        .backward();
    });
    expect(p.parameters().every((t) => t.grad !== null)).toBe(true);
    const grads = p.parameters().map((t) => t.grad!);
    p.dispose();
    expect(grads.every((g) => g.isDisposed)).toBe(true);
    expect(p.parameters().every((t) => t.isDisposed)).toBe(true);
    expect(memory().tensors).toBe(before);
  });
});
