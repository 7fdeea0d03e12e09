// LayerNorm's fused affine path (issue 12, mutation testing of src/autograd/ops/fused.ts and nn.ts): when it is
// taken (weight and bias both given, on the input's backend and dtype), and that its backward runs the parameter
// kernel only when a parameter needs a gradient. The CPU has no `affine` kernels, so a CPU backend registered here
// gets float64 ones written out (x * w + b per row; dw and db summed over rows).

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend, Storage } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import type { Tensor } from '../../src/index.js';
import { causalAttention } from '../../src/autograd/ops/attention.js';
import { detectAnomaly, grad, layerNorm, registerBackend, tensor, vjp } from '../../src/index.js';

const be = new CpuBackend();
Object.defineProperty(be, 'name', { value: 'cpu-affine' });
const arr = (s: Storage): Float64Array => be.readSync(s) as Float64Array;
const wrap = (a: Float64Array): Storage => be.fromArray(a, 'float64');
const kernels: Partial<Backend> = {
  affine(xS, wS, bS, _rows, d) {
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
Object.assign(be, kernels);
registerBackend(be);
/** The same backend, typed with the kernels it now has (so a spy can watch one). */
const withAffine = be as unknown as Required<Pick<Backend, 'affineBackward'>>;

afterEach(() => vi.restoreAllMocks());

const on = (data: number[], dtype: 'float32' | 'float64' = 'float64', backend = 'cpu-affine'): Tensor =>
  tensor(data, { dtype, backend });
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
// rows [1, 3] and [5, 9]: each normalises (eps 0) to [-1, 1]
const x = (): Tensor => tensor([1, 3, 5, 9], { shape: [2, 2], dtype: 'float64', backend: 'cpu-affine' });

describe('layerNorm takes the fused affine kernel only when it can', () => {
  it('weight and bias of the input dtype: one affine node, x * w + b', () => {
    const y = layerNorm(x().requireGrad(), on([2, 5]), on([10, 20]), 0);
    expect(y.node?.op).toBe('affine');
    expect(vals(y)).toEqual([8, 25, 8, 25]);
  });

  it('a float32 weight or bias next to a float64 input: the composition, promoted', () => {
    for (const [w, b] of [
      [on([2, 5], 'float32'), on([10, 20])],
      [on([2, 5]), on([10, 20], 'float32')],
    ]) {
      const y = layerNorm(x().requireGrad(), w, b, 0);
      expect([y.node?.op, y.dtype, vals(y)]).toEqual(['add', 'float64', [8, 25, 8, 25]]);
    }
  });
});

describe('the affine forward', () => {
  it('anomaly mode names it and its three inputs', () => {
    expect(() => detectAnomaly(() => layerNorm(x(), on([Number.NaN, 1]), on([0, 0]), 0))).toThrow(
      "anomaly: forward of 'affine' (inputs [2,2], [2], [2]) produced NaN at flat index 0",
    );
  });

  it('a weight on another backend is not fused: the composition refuses it', () => {
    const w = tensor([2, 5], { dtype: 'float64' });
    expect(() => layerNorm(x(), w, on([10, 20]), 0)).toThrow(/^mul: operands live on different backends/);
  });
});

describe('the affine backward', () => {
  it('runs the parameter kernel only when weight or bias needs a gradient', () => {
    const spy = vi.spyOn(withAffine, 'affineBackward');
    const w = on([2, 5]);
    const b = on([10, 20]);
    const ct = tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'float64', backend: 'cpu-affine' });
    // x alone: dx through the normalisation, no parameter kernel
    vjp((z) => layerNorm(z, w, b, 0), [x()])[1](ct);
    expect(spy).toHaveBeenCalledTimes(0);
    // the weight alone: dw = sum over rows of g * xhat = [-1 - 3, 2 + 4]
    const [dw] = vjp((ww) => layerNorm(x(), ww, b, 0), [w])[1](ct);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(vals(dw)).toEqual([-4, 6]);
    // the bias alone: db = sum over rows of g
    const [db] = vjp((bb) => layerNorm(x(), w, bb, 0), [b])[1](ct);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(vals(db)).toEqual([4, 6]);
  });

  it('a first-order gradient of the weight takes the kernel; its gradient of gradient is composed', () => {
    const spy = vi.spyOn(withAffine, 'affineBackward');
    const dw = grad((ww: Tensor) =>
      layerNorm(x(), ww, on([10, 20]), 0)
        .mul(x())
        .sum(),
    )(on([2, 5]));
    expect(vals(dw)).toEqual([-1 * 1 - 1 * 5, 3 + 9]);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockClear();
    // d/dw of sum(dw * u) where dw does not depend on w: zero, and computed without the kernel
    const h = grad((ww: Tensor) => {
      const inner = grad((v: Tensor) =>
        layerNorm(x(), v, on([10, 20]), 0)
          .mul(x())
          .sum(),
      )(ww);
      return inner
        .mul(on([1, 1]))
        .sum()
        .add(ww.sum());
    })(on([2, 5]));
    expect(vals(h)).toEqual([1, 1]);
    expect(spy).toHaveBeenCalledTimes(0);
  });
});

describe('causalAttention arguments', () => {
  const mask = tensor([1, 0, 1, 1], { shape: [2, 2] });
  const opts = { heads: 2, causalMask: mask, dropout: 0, seed: 1, training: true };
  it('refuses qkv that is not [B, T, 3 * heads * D], naming the shape and the head count', () => {
    for (const shape of [
      [2, 9],
      [1, 2, 9],
      [1, 2, 2, 6],
      [1, 2, 6, 1],
    ]) {
      const qkv = tensor(new Array(shape.reduce((a, b) => a * b)).fill(0), { shape });
      expect(() => causalAttention(qkv, opts)).toThrow(
        `causalAttention: expected qkv [B, T, 3 * heads * D], got [${shape}] for 2 heads`,
      );
    }
  });
  it('refuses a dropout outside [0, 1)', () => {
    const qkv = tensor(new Array(12).fill(0), { shape: [1, 2, 6] });
    for (const dropout of [1, -0.5, Number.NaN]) {
      expect(() => causalAttention(qkv, { ...opts, dropout })).toThrow(
        `causalAttention: dropout must be in [0, 1), got ${dropout}`,
      );
    }
  });
  it('the composition: two heads of one position attend to themselves, so y is v', () => {
    const qkv = tensor([1, 2, 3, 4, 5, 6], { shape: [1, 1, 6] }); // q [1, 2], k [3, 4], v [5, 6]
    expect(vals(causalAttention(qkv, { ...opts, causalMask: tensor([1], { shape: [1, 1] }) }))).toEqual([5, 6]);
  });
});

describe('partial kernel sets', () => {
  const only = (name: string, kernel: 'affine' | 'affineBackward'): void => {
    const b = new CpuBackend();
    Object.defineProperty(b, 'name', { value: name });
    Object.assign(b, { [kernel]: kernels[kernel] });
    registerBackend(b);
  };
  only('cpu-affine-forward-only', 'affine');
  only('cpu-affine-backward-only', 'affineBackward');

  it('a backend with only one of the two affine kernels takes the composition', () => {
    for (const backend of ['cpu-affine-forward-only', 'cpu-affine-backward-only']) {
      const t = (data: number[], shape = [data.length]) => tensor(data, { shape, dtype: 'float64', backend });
      const y = layerNorm(t([1, 3, 5, 9], [2, 2]).requireGrad(), t([2, 5]), t([10, 20]), 0);
      expect([y.node?.op, vals(y)]).toEqual(['add', [8, 25, 8, 25]]);
    }
  });

  it('the gradient of x through the fused affine equals the one through the composition', () => {
    const data = [1, 2, 4, 0.5, -1, 3];
    const grads = ['cpu-affine', 'cpu-affine-forward-only'].map((backend) => {
      const t = (v: number[], shape = [v.length]) => tensor(v, { shape, dtype: 'float64', backend });
      const ct = t([1, -2, 0.5, 3, 1, -1], [2, 3]);
      return vals(vjp((z) => layerNorm(z, t([2, -1, 0.5]), t([0.1, 0.2, 0.3])), [t(data, [2, 3])])[1](ct)[0]);
    });
    grads[0].forEach((g, i) => expect(g).toBeCloseTo(grads[1][i], 12));
    expect(grads[0].some((g) => Math.abs(g) > 0.1)).toBe(true);
  });
});
