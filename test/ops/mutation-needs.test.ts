// Backward rules compute only the gradients they are asked for (issue 12, mutation testing). A gradient for an input
// that needs none is thrown away by graph.ts, so computing it changes no value: what it costs is kernel launches
// (and, for pow, a log of a negative base). These tests count the backend calls one pullback makes, with one
// operand a constant, and expect exactly the kernels the needed gradient takes.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { concat, detectAnomaly, getBackend, maximum, minimum, pow, tensor, vjp, where } from '../../src/index.js';

const cpu = getBackend('cpu');
const f64 = (data: number[], shape = [data.length]): Tensor => tensor(data, { shape, dtype: 'float64' });

afterEach(() => vi.restoreAllMocks());

type Kernel = 'unary' | 'binary' | 'where' | 'copyStrided' | 'matmul' | 'reduce';

/** The pullback of f at x with cotangent `ct`, returning how often each kernel ran, by op name where it has one. */
function kernelCalls(f: (x: Tensor) => Tensor, x: Tensor): Record<string, number> {
  const [out, pullback] = vjp(f, [x]);
  const ct = tensor(
    Array.from({ length: out.size }, (_, i) => i + 1),
    { shape: out.shape, dtype: 'float64' },
  );
  const kernels: Kernel[] = ['unary', 'binary', 'where', 'copyStrided', 'matmul', 'reduce'];
  const spies = kernels.map((k) => [k, vi.spyOn(cpu, k)] as const);
  pullback(ct);
  const counts: Record<string, number> = {};
  for (const [k, spy] of spies) {
    for (const args of spy.mock.calls) {
      const name = typeof args[0] === 'string' ? `${k}:${args[0]}` : k;
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  vi.restoreAllMocks();
  return counts;
}

describe('a backward rule skips the gradient of an operand that needs none', () => {
  const a = f64([1, -2, 3]);
  const b = f64([4, 5, -6]);

  it('sub: the gradient of x is g itself (no kernel); of y, one neg', () => {
    expect(kernelCalls((x) => x.sub(b), a)).toEqual({});
    expect(kernelCalls((y) => a.sub(y), b)).toEqual({ 'unary:neg': 1 });
  });

  it('mul: one product for whichever operand needs it', () => {
    expect(kernelCalls((x) => x.mul(b), a)).toEqual({ 'binary:mul': 1 });
    expect(kernelCalls((y) => a.mul(y), b)).toEqual({ 'binary:mul': 1 });
  });

  it('div: g / y for x; -(g x) / (y y) for y', () => {
    expect(kernelCalls((x) => x.div(b), a)).toEqual({ 'binary:div': 1 });
    expect(kernelCalls((y) => a.div(y), b)).toEqual({ 'binary:mul': 2, 'binary:div': 1, 'unary:neg': 1 });
  });

  it('pow: no log for the base alone, no power for the exponent alone', () => {
    expect(kernelCalls((x) => x.pow(b), a)).toEqual({ 'binary:mul': 2, 'binary:sub': 1, 'binary:pow': 1 });
    expect(kernelCalls((y) => f64([2, 3, 4]).pow(y), b)).toEqual({ 'binary:mul': 2, 'unary:log': 1 });
  });

  it('pow with a negative base and a constant exponent: anomaly mode sees no log of the base', () => {
    const grads = detectAnomaly(() => vjp((x) => pow(x, f64([2, 2, 2])), [a])[1](f64([1, 1, 1])));
    expect(Array.from(grads[0].dataSync())).toEqual([2, -4, 6]);
  });

  it('maximum and minimum: the other operand weight (1 - w) only when y needs it', () => {
    for (const op of [maximum, minimum]) {
      // weight w = wins + ties / 2: gt/lt, eq, one mul by 0.5, one add; then g * w
      expect(kernelCalls((x) => op(x, b), a)).toEqual({
        [`binary:${op === maximum ? 'gt' : 'lt'}`]: 1,
        'binary:eq': 1,
        'binary:mul': 2,
        'binary:add': 1,
      });
      // y: the same w, then 1 - w as neg and add, then g * (1 - w)
      expect(kernelCalls((y) => op(a, y), b)).toEqual({
        [`binary:${op === maximum ? 'gt' : 'lt'}`]: 1,
        'binary:eq': 1,
        'binary:mul': 2,
        'binary:add': 2,
        'unary:neg': 1,
      });
    }
  });

  it('where: one select for whichever branch needs it', () => {
    const cond = f64([1, 0, 1]);
    expect(kernelCalls((x) => where(cond, x, b), a)).toEqual({ 'binary:mul': 1, where: 1 });
    expect(kernelCalls((y) => where(cond, a, y), b)).toEqual({ 'binary:mul': 1, where: 1 });
  });

  it('concat: one slice per operand that needs it', () => {
    expect(kernelCalls((x) => concat([x, b]), a)).toEqual({ copyStrided: 1 });
    expect(kernelCalls((y) => concat([a, y, a]), b)).toEqual({ copyStrided: 1 });
  });

  it('matmul: one product per operand that needs it', () => {
    const m = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const n = f64([1, 0, 2, 1, 0, 3], [3, 2]);
    expect(kernelCalls((x) => x.matmul(n), m)).toEqual({ matmul: 1 });
    expect(kernelCalls((y) => m.matmul(y), n)).toEqual({ matmul: 1 });
  });
});

describe('matmul of a batch by one matrix folds the batch into the rows', () => {
  it('so the matrix gradient is one product, with no reduction over the batch', () => {
    const a = tensor(
      Array.from({ length: 24 }, (_, i) => i / 4),
      { shape: [2, 3, 4], dtype: 'float64' },
    );
    const w = tensor(
      Array.from({ length: 20 }, (_, i) => i - 10),
      { shape: [4, 5], dtype: 'float64' },
    );
    expect(kernelCalls((y) => a.matmul(y), w)).toEqual({ matmul: 1 });
    expect(kernelCalls((x) => x.matmul(w), a)).toEqual({ matmul: 1 });
  });
});
