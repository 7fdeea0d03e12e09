// gradcheck.ts pinned by values (issue 12, mutation testing): the tolerance rule at both sides of atol and rtol,
// the relative error's floor, which element is reported as worst, the random cotangent and second-order directions
// (recomputed here from their seeds), the messages, and that nothing is left allocated.

import { describe, expect, it } from 'vitest';
import { gradcheck, gradgradcheck, memory, tensor, type Tensor } from '../../src/index.js';
import { composite } from '../../src/autograd/ops/unary.js';
import { normalArray } from '../../src/random.js';
import { getBackend } from '../../src/backends/backend.js';

const f64 = (data: number[]): Tensor => tensor(data, { dtype: 'float64' });

/** sum(k * x) with a backward that adds `bump[i]` to element i's gradient. */
const linearBumped =
  (k: number[], bump: number[]) =>
  (v: Tensor): Tensor =>
    composite(
      'linearBumped',
      [v],
      () => v.mul(f64(k)),
      (g) => [g.mul(f64(k)).add(f64(bump))],
    ).sum();

describe('gradcheck tolerances', () => {
  it('passes when |error| <= atol + rtol |numeric| and fails just past it, for atol and rtol alike', () => {
    const f = linearBumped([2], [0.01]);
    const x = [f64([0.3])];
    expect(gradcheck(f, x, { atol: 0.011, rtol: 0 }).ok).toBe(true);
    expect(gradcheck(f, x, { atol: 0.009, rtol: 0 }).ok).toBe(false);
    // rtol scales with |numeric| = 2: 0.0051 * 2 > 0.01 > 0.0049 * 2
    expect(gradcheck(f, x, { atol: 0, rtol: 0.0051 }).ok).toBe(true);
    expect(gradcheck(f, x, { atol: 0, rtol: 0.0049 }).ok).toBe(false);
    // the two add up
    expect(gradcheck(f, x, { atol: 0.006, rtol: 0.0025 }).ok).toBe(true);
    expect(gradcheck(f, x, { atol: 0.004, rtol: 0.0025 }).ok).toBe(false);
  });

  it('the defaults are atol 1e-5 and rtol 1e-3', () => {
    // |numeric| = 10: the default tolerance is 1e-5 + 1e-2
    expect(gradcheck(linearBumped([10], [0.0100095]), [f64([1])]).ok).toBe(true);
    expect(gradcheck(linearBumped([10], [0.0100105]), [f64([1])]).ok).toBe(false);
  });

  it('the step eps is the one given', () => {
    // central differences of x^3 are off by exactly eps^2
    const cube = (v: Tensor) => v.mul(v).mul(v).sum();
    const r = gradcheck(cube, [f64([0.5])], { eps: 0.1, atol: 1 });
    expect(r.maxAbsError).toBeCloseTo(0.01, 10);
    expect(r.worst!.numeric).toBeCloseTo(0.75 + 0.01, 10);
    expect(gradcheck(cube, [f64([0.5])]).maxAbsError).toBeLessThan(1e-8);
  });
});

describe('gradcheck errors and the worst element', () => {
  it('relative errors divide by |numeric|, floored at 1e-12', () => {
    const r = gradcheck(linearBumped([4, 0], [0.02, 0]), [f64([1, 1])], { atol: 1 });
    expect(r.maxAbsError).toBeCloseTo(0.02, 8);
    expect(r.maxRelError).toBeCloseTo(0.005, 8);
    const zero = gradcheck(linearBumped([0], [1e-3]), [f64([1])], { atol: 1 });
    expect(zero.maxRelError).toBeCloseTo(1e9, -3);
  });

  it('the worst element is the one furthest past its own tolerance, not the largest error', () => {
    // element 0: error 0.05 against tolerance 1e-5 + 1e-3 * 100; element 1: error 0.01 against 1e-5
    const r = gradcheck(linearBumped([100, 0], [0.05, 0.01]), [f64([1, 1])]);
    expect(r.ok).toBe(false);
    expect(r.worst!.index).toBe(1);
    expect(r.maxAbsError).toBeCloseTo(0.05, 8);
    expect(r.worst!.analytic).toBeCloseTo(0.01, 12);
    // over two inputs, the second's element can be the worst
    const two = (a: Tensor, b: Tensor) => linearBumped([1], [0.001])(a).add(linearBumped([1, 1], [0, 0.5])(b));
    const r2 = gradcheck(two, [f64([1]), f64([2, 3])]);
    expect([r2.worst!.input, r2.worst!.index]).toEqual([1, 1]);
    expect(r2.message).toMatch(
      /^gradcheck FAILED: worst at input 1 \[2\] flat index 1: analytic 1\.5, numeric 1\.0*\d* /,
    );
  });

  it('of equally bad elements, the first is reported', () => {
    const r = gradcheck(linearBumped([3, 3], [0, 0]), [f64([1, 1])]);
    expect(r.ok).toBe(true);
    expect(r.worst!.index).toBe(0);
  });

  it('a NaN gradient makes both errors infinite and is the worst element', () => {
    const r = gradcheck(linearBumped([1, 1, 1], [0.5, Number.NaN, 0]), [f64([1, 2, 3])]);
    expect(r.ok).toBe(false);
    expect([r.maxAbsError, r.maxRelError]).toEqual([Infinity, Infinity]);
    expect(r.worst!.index).toBe(1);
    expect(r.worst!.analytic).toBeNaN();
  });

  it('messages: the passing one gives both errors, the failing one the worst element and the tolerances', () => {
    const pass = gradcheck(linearBumped([2], [1e-7]), [f64([1])]);
    expect(pass.message).toMatch(/^gradcheck passed \(max abs error \d\.\d\de-\d+, max rel error \d\.\d\de-\d+\)$/);
    const fail = gradcheck(linearBumped([2, 2], [0, 0.25]), [f64([1, 1])], { atol: 0.01, rtol: 0.02 });
    expect(fail.message).toMatch(
      /^gradcheck FAILED: worst at input 0 \[2\] flat index 1: analytic 2\.25, numeric 2\.0*\d* \(atol 0\.01, rtol 0\.02; max abs error 2\.50e-1\)$/,
    );
  });
});

describe('the scalar and second-order reductions', () => {
  it('a one-element output of any shape is used as it is', () => {
    const r = gradcheck((v) => v.mul(2).sum().reshape([1, 1]), [f64([0.7])]);
    expect(r.worst!.analytic).toBe(2);
  });

  it('a larger output is contracted with normal(seed) values, seed 0 by default', () => {
    const triple = (v: Tensor) => v.mul(3);
    for (const seed of [undefined, 4]) {
      const c = normalArray(3, seed ?? 0);
      const r = gradcheck(triple, [f64([1, 2, 3])], seed === undefined ? {} : { seed });
      expect(r.ok).toBe(true);
      expect(r.worst!.analytic).toBeCloseTo(3 * c[r.worst!.index], 12);
    }
  });

  it('gradgradcheck differentiates <grad f, v> with v = normal(seed + 1000 + input index)', () => {
    // f = sum(x^3) + sum(y^3): <grad f, v> = sum(3 x^2 v0) + sum(3 y^2 v1), whose gradient is 6 x v0 and 6 y v1
    const f = (x: Tensor, y: Tensor) => x.mul(x).mul(x).sum().add(y.mul(y).mul(y).sum());
    const x = [0.5, -1, 2];
    const y = [1.5, 0.25];
    for (const seed of [undefined, 7]) {
      const s = seed ?? 0;
      const v = [normalArray(3, s + 1000), normalArray(2, s + 1001)];
      const r = gradgradcheck(f, [f64(x), f64(y)], seed === undefined ? {} : { seed });
      expect(r.ok).toBe(true);
      const w = r.worst!;
      expect(w.analytic).toBeCloseTo(6 * [x, y][w.input][w.index] * v[w.input][w.index], 10);
    }
  });

  it('gradgradcheck loosens atol to 1e-4 unless given one, and names itself', () => {
    const squareDetached = (v: Tensor): Tensor =>
      composite(
        'squareDetached',
        [v],
        () => v.mul(v),
        (g) => [g.mul(v.detach()).mul(2)],
      ).sum();
    const r = gradgradcheck(squareDetached, [f64([0.5, 2])]);
    expect(r.message).toMatch(/^gradgradcheck FAILED: .*\(atol 0\.0001, rtol 0\.001; /);
    const given = gradgradcheck(squareDetached, [f64([0.5, 2])], { atol: 0.5, rtol: 0.25 });
    expect(given.message).toMatch(/\(atol 0\.5, rtol 0\.25; /);
    expect(gradgradcheck((v) => v.mul(v).mul(v).sum(), [f64([1])]).message).toMatch(/^gradgradcheck passed/);
  });

  it('leaves no tensor behind, with or without a cotangent', () => {
    const x = f64([1, 2]);
    const before = memory().tensors;
    gradcheck((v) => v.exp(), [x]);
    gradcheck((v) => v.exp().sum(), [x]);
    gradgradcheck((v) => v.exp(), [x]);
    expect(memory().tensors).toBe(before);
  });

  it('keeps the shapes of matrix inputs and outputs, for the cotangent, the bumped inputs and the directions', () => {
    const m = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    const x = tensor(
      [
        [0.5, -1],
        [2, 0.25],
      ],
      { dtype: 'float64' },
    );
    expect(gradcheck((v) => v.matmul(m), [x]).ok).toBe(true);
    expect(gradcheck((v) => v.matmul(m).sum(), [x]).ok).toBe(true);
    expect(gradgradcheck((v) => v.matmul(v).sum(), [x]).ok).toBe(true);
  });

  it('an error exactly at the tolerance passes', () => {
    // a zero function: numeric is exactly 0 and the error exactly the bump
    expect(gradcheck(linearBumped([0], [0.25]), [f64([1])], { atol: 0.25, rtol: 0 }).ok).toBe(true);
  });

  it('refuses a float64 tensor on another backend', () => {
    const other = Object.assign(Object.create(getBackend('cpu')), { name: 'elsewhere' });
    const x = tensor([1], { dtype: 'float64', backend: other });
    expect(() => gradcheck((a) => a.sum(), [x])).toThrow('got [1] float64 on elsewhere');
  });

  it('names a non-tensor input and its position', () => {
    expect(() => gradcheck((a) => a, [f64([1]), 2 as unknown as Tensor])).toThrow(
      'gradcheck: input 1 must be a float64 tensor on the cpu backend (finite differences need it), got number',
    );
    expect(() => gradgradcheck((a) => a, [tensor([1])])).toThrow('gradcheck: input 0 must be a float64 tensor');
  });
});
