// functional.ts pinned by values (issue 12, mutation testing): every argument check with its message, the
// argnum bounds at both sides, the cotangent's dtype and shape, when a result carries a graph, and which gradient
// comes back for a function that does not use its argument.

import { describe, expect, it } from 'vitest';
import { grad, noGrad, tensor, valueAndGrad, vjp, type Tensor } from '../../src/index.js';

const f64 = (data: number | number[], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const values = (t: Tensor) => Array.from(t.dataSync());

describe('argument checks', () => {
  it('refuses non-tensors and int32 tensors, and a function that returns no tensor', () => {
    expect(() => grad((x: Tensor) => x.sum())(3 as unknown as Tensor)).toThrow(
      'grad: arguments to differentiate must be Tensors, got number',
    );
    expect(() => grad((x: Tensor) => x.sum())(tensor(Int32Array.from([1, 2]), { shape: [2] }))).toThrow(
      'grad: cannot differentiate with respect to an int32 tensor [2]',
    );
    // an int32 argument that is not differentiated is fine
    const ints = tensor(Int32Array.from([2, 3]), { shape: [2] });
    expect(values(grad((x: Tensor, k: Tensor) => x.mul(k).sum(), 0)(f64([1, 1]), ints))).toEqual([2, 3]);
    expect(() => vjp(() => 5 as unknown as Tensor, [f64([1])])).toThrow('vjp: the function must return a Tensor');
  });

  it('argnums must lie in [0, number of arguments)', () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const [a, b] = [f64([2]), f64([5])];
    expect(() => grad(f, -1)(a, b)).toThrow('grad: argnum -1 is out of range for 2 arguments');
    expect(() => grad(f, [0, 2])(a, b)).toThrow('grad: argnum 2 is out of range for 2 arguments');
    expect(values(grad(f, 1)(a, b))).toEqual([2]);
    expect(grad(f, [1, 0])(a, b).map(values)).toEqual([[2], [5]]);
    // a single argnum gives a tensor, an array of one gives an array
    expect(Array.isArray(grad(f, [0])(a, b))).toBe(true);
    expect(Array.isArray(grad(f, 0)(a, b))).toBe(false);
    const [, one] = valueAndGrad(f, 1)(a, b);
    expect(values(one)).toEqual([2]);
  });

  it('a scalar of any rank is accepted; more than one element is refused', () => {
    expect(values(grad((x: Tensor) => x.sum().reshape([1, 1]))(f64([1, 2])))).toEqual([1, 1]);
    expect(() => grad((x: Tensor) => x.mul(1).reshape([1, 2]))(f64([1, 2]))).toThrow(
      'grad: the function must return a scalar, got shape [1,2]',
    );
  });
});

describe('vjp', () => {
  it('checks the cotangent shape and casts its dtype to the output dtype', () => {
    const [out, pullback] = vjp((x) => x.mul(x), [f64([1, 2])]);
    expect(() => pullback(f64([1, 2, 3]))).toThrow('vjp: cotangent shape [3] differs from output shape [2]');
    const g = pullback(tensor([0.5, 3], { dtype: 'float32' }))[0];
    expect(g.dtype).toBe('float64');
    expect(values(g)).toEqual([1, 12]);
    expect(out.dtype).toBe('float64');
  });

  it('gives zeros of each argument shape and dtype when the output does not depend on the arguments', () => {
    const [out, pullback] = vjp(() => f64([1, 2]).mul(2), [f64([7, 8, 9]), tensor([1], { dtype: 'float32' })]);
    expect(out.requiresGrad).toBe(false);
    const [g0, g1] = pullback(f64([1, 1]));
    expect([g0.shape, g0.dtype, values(g0)]).toEqual([[3], 'float64', [0, 0, 0]]);
    expect([g1.shape, g1.dtype, values(g1)]).toEqual([[1], 'float32', [0]]);
    // one argument used, the other not: the unused one gets zeros
    const [, pb] = vjp((x: Tensor, _y: Tensor) => x.mul(3), [f64([1]), f64([4, 5])]);
    const [gx, gy] = pb(f64([2]));
    expect([values(gx), values(gy)]).toEqual([[6], [0, 0]]);
  });

  it('leaves the arguments without gradients and without a graph when none is traced', () => {
    const x = f64([1, 2]);
    const [out, pullback] = vjp((v) => v.exp(), [x]);
    expect(out.requiresGrad).toBe(true);
    const g = pullback(f64([1, 1]))[0];
    expect(g.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });

  it('f sees each traced argument as an identity node over a traced tensor, a fresh leaf otherwise', () => {
    const ops: (string | null)[] = [];
    const f = (x: Tensor) => {
      ops.push(x.node?.op ?? null);
      return x.sum();
    };
    grad(f)(f64([1], true));
    grad(f)(f64([1]));
    expect(ops).toEqual(['identity', null]);
  });

  it('records its backward when any one argument requires grad', () => {
    const w = f64([3], true);
    const c = f64([5]);
    const [gw] = grad((x: Tensor, y: Tensor) => x.mul(x).mul(y).sum(), [0, 1])(w, c); // 2 w c
    expect(gw.requiresGrad).toBe(true);
    gw.sum().backward();
    expect(values(w.grad!)).toEqual([10]);
  });

  it('records its backward when an argument requires grad, but not under noGrad', () => {
    const w = f64([3], true);
    const g = grad((x: Tensor) => x.mul(x).sum())(w); // 2w, differentiable in w
    expect(g.requiresGrad).toBe(true);
    g.sum().backward();
    expect(values(w.grad!)).toEqual([2]);
    const inside = noGrad(() => grad((x: Tensor) => x.mul(x).sum())(w));
    expect(inside.requiresGrad).toBe(false);
    expect(values(inside)).toEqual([6]);
  });
});
