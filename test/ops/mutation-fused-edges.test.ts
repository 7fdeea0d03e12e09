// Edges of the fused paths and the nn ops left by the first mutation run (issue 12, src/autograd/ops/fused.ts,
// nn.ts, reduce.ts): anomaly messages from inside the fused backward kernels, the default keepDims of min and
// logsumexp, argmax's own name, and a dropout element whose uniform draw equals p exactly. Values by hand.

import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import type { Tensor } from '../../src/index.js';
import { detectAnomaly, registerBackend, setAnomalyDetection, tensor, vjp } from '../../src/index.js';
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

describe('dropout on a backend with a dropout kernel', () => {
  // a stand-in kernel that keeps everything and scales by 2, so its use (and its reuse for the gradient) shows
  const be = new CpuBackend();
  Object.defineProperty(be, 'name', { value: 'cpu-dropout' });
  Object.assign(be, {
    dropout: (x: Storage) =>
      be.fromArray(
        Float64Array.from(be.readSync(x), (v) => 2 * v),
        'float64',
      ),
  });
  registerBackend(be);
  const on = (data: number[], requiresGrad = false) =>
    tensor(data, { dtype: 'float64', backend: 'cpu-dropout', requiresGrad });

  it('the kernel makes the forward, and the same kernel (training) the gradient', () => {
    const x = on([1, -2, 3], true);
    const y = x.dropout(0.5, 3);
    expect([y.node?.op, Array.from(y.dataSync())]).toEqual(['dropout', [2, -4, 6]]);
    y.mul(on([1, 10, 100]))
      .sum()
      .backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 20, 200]);
  });

  it('anomaly mode names it and its input', () => {
    expect(() => detectAnomaly(() => on([Number.NaN, 1]).dropout(0.5, 3))).toThrow(
      "anomaly: forward of 'dropout' (inputs [2]) produced NaN at flat index 0",
    );
  });
});
