// Reductions, activations and the nn ops at the points random samples miss (issue 12, mutation testing of
// src/autograd/ops/reduce.ts, unary.ts, nn.ts and fused.ts): ties, kinks, infinities, non-last axes, optional
// parameters, the no-op dropouts, and which backward the fused ops run. Expected values are worked by hand.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { crossEntropy, getBackend, grad, layerNorm, memory, noGrad, tensor } from '../../src/index.js';

const f64 = (data: number[], shape = [data.length], requiresGrad = false): Tensor =>
  tensor(data, { shape, dtype: 'float64', requiresGrad });
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const close = (actual: number[], expected: number[]): void => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 12));
};

afterEach(() => vi.restoreAllMocks());

describe('max and min share the gradient among ties', () => {
  it('max over the last axis, one row with a tie', () => {
    const x = f64([1, 3, 3, 5, 2, 0], [2, 3], true);
    x.max(1)
      .mul(f64([2, 10]))
      .sum()
      .backward();
    expect(vals(x.grad!)).toEqual([0, 1, 1, 10, 0, 0]);
  });

  it('min over all axes with a three-way tie', () => {
    const x = f64([4, 1, 1, 7, 1], [5], true);
    x.min().backward();
    close(vals(x.grad!), [0, 1 / 3, 1 / 3, 0, 1 / 3]);
  });

  it('max with keepDims keeps the reduced axis as size 1', () => {
    expect(f64([1, 3, 3, 5, 2, 0], [2, 3]).max(0, true).shape).toEqual([1, 3]);
    expect(vals(f64([1, 3, 3, 5, 2, 0], [2, 3]).max(0, true))).toEqual([5, 3, 3]);
  });
});

describe('argmax', () => {
  it('first maximum along an axis, with and without keepDims, negative axes too', () => {
    const x = f64([1, 3, 3, 5, 2, 5], [2, 3]);
    const kept = x.argmax(-1, true);
    expect([kept.dtype, kept.shape, vals(kept)]).toEqual(['int32', [2, 1], [1, 0]]);
    expect([x.argmax(0).shape, vals(x.argmax(0))]).toEqual([[3], [1, 0, 1]]);
  });
});

describe('logsumexp with infinities', () => {
  it('a row holding +Inf gives +Inf, a row of -Inf gives -Inf, never NaN', () => {
    const x = f64([Infinity, 0, -Infinity, -Infinity, 0, Math.log(3)], [3, 2]);
    const [a, b, c] = vals(x.logsumexp(1));
    expect([a, b]).toEqual([Infinity, -Infinity]);
    expect(c).toBeCloseTo(Math.log(4), 14);
  });

  it('keepDims and several axes', () => {
    const x = f64([0, 0, 0, 0], [2, 2]);
    const out = x.logsumexp([0, 1], true);
    expect(out.shape).toEqual([1, 1]);
    close(vals(out), [Math.log(4)]);
  });
});

describe('softmax and logSoftmax along a non-last axis', () => {
  const x = f64([0, 0, Math.log(3), 0], [2, 2]);
  it('softmax(0) normalises each column', () => {
    close(vals(x.softmax(0)), [0.25, 0.5, 0.75, 0.5]);
  });
  it('logSoftmax(0) is the log of it', () => {
    close(vals(x.logSoftmax(0)), [Math.log(0.25), Math.log(0.5), Math.log(0.75), Math.log(0.5)]);
  });
});

describe('relu', () => {
  it('gradient 1 above 0 and 0 at and below 0, like torch', () => {
    const x = f64([-1, 0, 2], [3], true);
    x.relu().sum().backward();
    expect(vals(x.grad!)).toEqual([0, 0, 1]);
  });
});

describe('int32 unary ops', () => {
  it('neg, abs and sign take int32 and stay int32', () => {
    const i = tensor([-2, 0, 3], { dtype: 'int32' });
    for (const [y, want] of [
      [i.neg(), [2, 0, -3]],
      [i.abs(), [2, 0, 3]],
      [i.sign(), [-1, 0, 1]],
    ] as const) {
      expect([y.dtype, vals(y)]).toEqual(['int32', want]);
    }
  });
});

describe('layerNorm with one of weight and bias', () => {
  // x = [1, 3]: mean 2, biased variance 1, so with eps 0 the normalised row is [-1, 1]
  const x = f64([1, 3, 5, 9], [2, 2]);
  it('weight only scales', () => {
    close(vals(layerNorm(x, f64([2, 5]), undefined, 0)), [-2, 5, -2, 5]);
  });
  it('bias only shifts', () => {
    close(vals(layerNorm(x, undefined, f64([10, 20]), 0)), [9, 21, 9, 21]);
  });
  it('eps is added to the variance', () => {
    // row [1, 3]: variance 1, eps 3 -> divide by 2
    close(vals(layerNorm(f64([1, 3]), undefined, undefined, 3)), [-0.5, 0.5]);
  });
});

describe('dropout', () => {
  const x = f64([1, 2, 3, 4]);
  it('returns its input when not training or when p is 0', () => {
    expect(x.dropout(0.5, 1, false)).toBe(x);
    expect(x.dropout(0, 1)).toBe(x);
  });
  it('refuses p outside [0, 1), NaN included', () => {
    for (const p of [1, -0.1, Number.NaN, 1.5]) {
      expect(() => x.dropout(p, 1)).toThrow(`dropout: p must be in [0, 1), got ${p}`);
    }
  });
  it('kept elements are scaled by 1 / (1 - p), dropped ones are 0, in the input dtype', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const y = tensor(new Array(64).fill(1), { dtype }).dropout(0.75, 3);
      expect(y.dtype).toBe(dtype);
      const v = vals(y);
      expect(v.every((e) => e === 0 || e === 4)).toBe(true);
      expect(v.some((e) => e === 0) && v.some((e) => e === 4)).toBe(true);
    }
  });
});

describe('the fused ops use their backward kernel for a first-order gradient', () => {
  const cpu = getBackend('cpu');
  const x = f64([0.5, -1, 2, 0.25, 3, -2], [2, 3]);
  const v = f64([1, -2, 0.5, 3, 1, -1], [2, 3]);
  it.each([
    ['softmaxBackward', (z: Tensor) => z.softmax(-1)],
    ['logSoftmaxBackward', (z: Tensor) => z.logSoftmax(-1)],
    ['layerNormBackward', (z: Tensor) => z.layerNorm()],
    ['geluBackward', (z: Tensor) => z.gelu()],
  ] as const)('%s', (kernel, f) => {
    const spy = vi.spyOn(cpu, kernel);
    grad((z: Tensor) => f(z).mul(v).sum())(x);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('layerNorm keeps no saved statistics when nothing will call its backward', () => {
  it('under noGrad, or for an input that does not require grad, only the result is left alive', () => {
    const x = f64([1, 3, 5, 9], [2, 2], true);
    const c = f64([1, 3, 5, 9], [2, 2]);
    for (const run of [() => noGrad(() => x.layerNorm()), () => c.layerNorm()]) {
      const before = memory().tensors;
      const y = run();
      expect(memory().tensors).toBe(before + 1);
      y.dispose();
    }
  });
});

describe('crossEntropy shapes', () => {
  it('refuses logits that are not 2-D and targets that are not 1-D', () => {
    const int = (shape: number[]) =>
      tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(0), { shape, dtype: 'int32' });
    expect(() => crossEntropy(f64([0, 0]), int([2]))).toThrow(
      'crossEntropy: expected logits [N, C] and targets [N], got [2] and [2]',
    );
    expect(() => crossEntropy(f64([0, 0], [1, 2]), int([1, 1]))).toThrow(
      'crossEntropy: expected logits [N, C] and targets [N], got [1,2] and [1,1]',
    );
  });

  it('is the mean of -log softmax at the target', () => {
    // rows [0, ln 3] and [ln 3, 0]: softmax [1/4, 3/4] and [3/4, 1/4]; targets 1 and 1 pick 3/4 and 1/4
    const logits = f64([0, Math.log(3), Math.log(3), 0], [2, 2]);
    const loss = crossEntropy(logits, tensor([1, 1], { dtype: 'int32' }));
    expect(loss.itemSync()).toBeCloseTo(-(Math.log(0.75) + Math.log(0.25)) / 2, 12);
  });
});
