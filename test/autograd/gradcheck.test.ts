// gradcheck and gradgradcheck must be able to fail: ops with deliberately wrong backward rules are registered
// through `composite` (forward run untraced, backward given explicitly) and must be caught and located.

import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { gradcheck, gradgradcheck, tensor } from '../../src/index.js';
import { composite } from '../../src/autograd/ops/unary.js';

const x = tensor([0.5, -1.5, 2.0, 0.25], { dtype: 'float64' });

/** square with a correct forward and a backward that is off by `bump` at flat index 2 only. */
const squareWrongAt2 =
  (bump: number) =>
  (v: Tensor): Tensor =>
    composite(
      'squareWrongAt2',
      [v],
      () => v.mul(v),
      (g) => [
        g
          .mul(v)
          .mul(2)
          .add(tensor([0, 0, bump, 0], { dtype: 'float64' })),
      ],
    );

describe('gradcheck catches wrong backward rules', () => {
  it('reports ok: false and the element that is wrong, with both values', () => {
    const result = gradcheck((v) => squareWrongAt2(0.1)(v).sum(), [x]);
    expect(result.ok).toBe(false);
    expect(result.worst).not.toBeNull();
    const worst = result.worst!;
    expect([worst.input, worst.index]).toEqual([0, 2]);
    expect(worst.analytic).toBeCloseTo(2 * 2.0 + 0.1, 9);
    expect(worst.numeric).toBeCloseTo(2 * 2.0, 6);
    expect(result.maxAbsError).toBeCloseTo(0.1, 6);
    expect(result.message).toMatch(/^gradcheck FAILED: worst at input 0 \[4\] flat index 2: analytic 4\.1/);
  });

  it('passes the same op with the bump removed (so the failure above is the bump)', () => {
    const result = gradcheck((v) => squareWrongAt2(0)(v).sum(), [x]);
    expect(result.ok, result.message).toBe(true);
    expect(result.maxAbsError).toBeLessThan(1e-7);
  });

  it('catches a wrong rule on the second of several inputs of a non-scalar function', () => {
    const mulWrong = (a: Tensor, b: Tensor): Tensor =>
      composite(
        'mulWrong',
        [a, b],
        () => a.mul(b),
        (g) => [g.mul(b), g.mul(b)],
      );
    const b = tensor([3, -1, 0.5, 2], { dtype: 'float64' });
    const result = gradcheck(mulWrong, [x, b]);
    expect(result.ok).toBe(false);
    expect(result.worst!.input).toBe(1);
  });

  it('catches a NaN gradient', () => {
    const nanRule = (v: Tensor): Tensor =>
      composite(
        'nanRule',
        [v],
        () => v.mul(2),
        (g) => [g.mul(Number.NaN)],
      );
    const result = gradcheck((v) => nanRule(v).sum(), [x]);
    expect(result.ok).toBe(false);
    expect(result.maxAbsError).toBe(Infinity);
  });
});

describe('gradgradcheck catches a rule that is right only to first order', () => {
  // the backward uses a detached x, so its own derivative is missing: first order right, second order wrong
  const squareDetached = (v: Tensor): Tensor =>
    composite(
      'squareDetached',
      [v],
      () => v.mul(v),
      (g) => [g.mul(v.detach()).mul(2)],
    );

  it('gradcheck passes it', () => {
    expect(gradcheck((v) => squareDetached(v).sum(), [x]).ok).toBe(true);
  });
  it('gradgradcheck fails it', () => {
    const result = gradgradcheck((v) => squareDetached(v).sum(), [x]);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^gradgradcheck FAILED/);
  });
  it('gradgradcheck passes the honest version', () => {
    const result = gradgradcheck((v) => v.mul(v).mul(v).sum(), [x]);
    expect(result.ok, result.message).toBe(true);
  });
});

describe('gradcheck input validation', () => {
  it('needs float64 cpu tensors', () => {
    expect(() => gradcheck((v) => v.sum(), [tensor([1, 2])])).toThrow(
      'gradcheck: input 0 must be a float64 tensor on the cpu backend (finite differences need it), got [2] float32 on cpu',
    );
  });
});
