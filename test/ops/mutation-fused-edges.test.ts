// Edges of the fused paths and the nn ops left by the first mutation run (issue 12, src/autograd/ops/fused.ts,
// nn.ts, reduce.ts): anomaly messages from inside the fused backward kernels, the default keepDims of min and
// logsumexp, argmax's own name, and a dropout element whose uniform draw equals p exactly. Values by hand.

import { afterEach, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { detectAnomaly, setAnomalyDetection, tensor, vjp } from '../../src/index.js';
import { uniformArray } from '../../src/random.js';

afterEach(() => setAnomalyDetection(false));

const x23 = (): Tensor => tensor([0.5, -1, 2, 0.25, 3, -2], { shape: [2, 3], dtype: 'float64' });

describe('a NaN cotangent through a fused backward kernel is blamed on the op, naming the kernel inputs', () => {
  it.each([
    ['softmax', (z: Tensor) => z.softmax(-1), '[2,3], [2,3]'],
    ['logSoftmax', (z: Tensor) => z.logSoftmax(-1), '[2,3], [2,3]'],
    ['layerNorm', (z: Tensor) => z.layerNorm(), '[2,3], [2,3]'],
    ['gelu', (z: Tensor) => z.gelu(), '[2,3], [2,3]'],
  ] as const)('%s', (op, f, inputs) => {
    const ct = tensor([Number.NaN, 0, 0, 0, 0, 0], { shape: [2, 3], dtype: 'float64' });
    expect(() => detectAnomaly(() => vjp(f, [x23()])[1](ct))).toThrow(
      `inside its rule, forward of '${op}' (inputs ${inputs}) produced NaN`,
    );
  });
});

describe('reductions', () => {
  it('min and logsumexp drop the reduced axes by default', () => {
    expect(x23().min().shape).toEqual([]);
    expect(x23().logsumexp().shape).toEqual([]);
    expect(x23().min(1).shape).toEqual([2]);
    expect(x23().logsumexp(0).shape).toEqual([3]);
  });

  it('argmax names itself for a disposed tensor', () => {
    const t = x23();
    t.dispose();
    expect(() => t.argmax(0)).toThrow(/^argmax: tensor #\d+ \[2,3\] float64 was disposed$/);
  });
});

describe('dropout', () => {
  it('keeps an element whose uniform draw equals p (kept where u >= p)', () => {
    const seed = 11;
    const u = uniformArray(2, seed);
    const y = tensor([1, 1], { dtype: 'float64' }).dropout(u[0], seed);
    expect(y.dataSync()[0]).toBe(1 / (1 - u[0]));
  });
});
