// Reverse-mode semantics: accumulation, fan-out, deep graphs, noGrad/detach, the functional API and higher order.
// Expected values are closed forms worked by hand.

import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { enableGrad, grad, isGradEnabled, noGrad, tensor, tidy, valueAndGrad, vjp } from '../../src/index.js';

const f64 = (data: number | number[], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const values = (t: Tensor | null): number[] => Array.from(t!.dataSync());

describe('backward', () => {
  it('accumulates into .grad until zeroGrad', () => {
    const x = f64([1, -2, 3], true);
    const loss = (): Tensor => x.mul(x).sum();
    loss().backward();
    expect(values(x.grad)).toEqual([2, -4, 6]);
    loss().backward();
    expect(values(x.grad)).toEqual([4, -8, 12]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    loss().backward();
    expect(values(x.grad)).toEqual([2, -4, 6]);
  });

  it('a tensor used several times receives the sum of its gradients', () => {
    const x = f64([0.5, 2], true);
    // d/dx (x^2 + 3x + x * x.sum()) = 2x + 3 + x.sum() + sum(x) (the last from x.sum() feeding every element)
    x.mul(x).add(x.mul(3)).add(x.mul(x.sum())).sum().backward();
    const s = 2.5;
    expect(values(x.grad)).toEqual([2 * 0.5 + 3 + s + s, 2 * 2 + 3 + s + s]);
  });

  it('broadcast operands get gradients summed back to their own shape', () => {
    const row = f64([1, 2, 3], true);
    const col = tensor([[1], [10]], { dtype: 'float64', requiresGrad: true });
    row.mul(col).sum().backward();
    expect(values(row.grad)).toEqual([11, 11, 11]);
    expect(values(col.grad)).toEqual([6, 6]);
    expect(col.grad!.shape).toEqual([2, 1]);
  });

  it('fills only leaves that require grad', () => {
    const x = f64([1, 2], true);
    const c = f64([3, 4]);
    const h = x.mul(c);
    h.sum().backward();
    expect(values(x.grad)).toEqual([3, 4]);
    expect(c.grad).toBeNull();
    expect(h.grad).toBeNull();
  });

  it('handles a 20000-op chain without recursion limits', () => {
    const x = f64(1, true);
    tidy(() => {
      let y = x;
      for (let i = 0; i < 20000; i++) y = y.mul(1.0001);
      y.backward();
    });
    expect(x.grad!.itemSync()).toBeCloseTo(1.0001 ** 20000, 8);
  });

  it('gradients keep the dtype of the tensors they belong to, whatever the cotangent dtype', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(2).backward(f64([1, 1]));
    expect([x.grad!.dtype, values(x.grad)]).toEqual(['float32', [2, 2]]);
    const [, pullback] = vjp((v) => v.mul(3), [f64([1, 2])]);
    const [g] = pullback(tensor([1, 1]));
    expect([g.dtype, values(g)]).toEqual(['float64', [3, 3]]);
    const [, pull32] = vjp((v) => v.mul(3), [tensor([1, 2])]);
    expect(pull32(f64([1, 1]))[0].dtype).toBe('float32');
  });

  it('the same graph can be walked twice (it is not freed by backward)', () => {
    const x = f64([2], true);
    const y = x.mul(x).sum();
    y.backward();
    y.backward();
    expect(values(x.grad)).toEqual([8]);
  });

  it('takes an explicit gradient for non-scalar outputs', () => {
    const x = f64([1, 2], true);
    x.mul(x).backward(f64([10, 100]));
    expect(values(x.grad)).toEqual([20, 400]);
  });
});

describe('noGrad and detach', () => {
  it('noGrad records nothing', () => {
    const x = f64([1, 2], true);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
  });

  it('noGrad nests with enableGrad and restores the mode even when fn throws', () => {
    const x = f64([1], true);
    expect(noGrad(() => enableGrad(() => x.mul(2)).requiresGrad)).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('detach shares values but blocks gradients', () => {
    const x = f64([3, -1], true);
    const d = x.detach();
    expect(values(d)).toEqual([3, -1]);
    expect(d.requiresGrad).toBe(false);
    // only the non-detached factor carries gradient: d/dx (stop(x) * x) = x
    d.mul(x).sum().backward();
    expect(values(x.grad)).toEqual([3, -1]);
  });
});

describe('functional API', () => {
  const f = (a: Tensor, b: Tensor): Tensor => a.mul(b).mul(b).sum(); // sum(a b^2)
  const a = f64([1, 2]);
  const b = f64([3, -4]);

  it('grad with default, single and multiple argnums', () => {
    expect(values(grad(f)(a, b))).toEqual([9, 16]); // b^2
    expect(values(grad(f, 1)(a, b))).toEqual([6, -16]); // 2 a b
    expect(grad(f, [0, 1])(a, b).map(values)).toEqual([
      [9, 16],
      [6, -16],
    ]);
  });

  it('valueAndGrad returns the value too', () => {
    const [value, g] = valueAndGrad(f, [1])(a, b);
    expect(value.itemSync()).toBe(9 + 32);
    expect((g as Tensor[]).map(values)).toEqual([[6, -16]]);
  });

  it('vjp pulls back any cotangent', () => {
    const [out, pullback] = vjp((x) => x.mul(x), [a]);
    expect(values(out)).toEqual([1, 4]);
    expect(values(pullback(f64([10, 100]))[0])).toEqual([20, 400]);
  });

  it('works inside noGrad (like JAX) and leaves the arguments untouched', () => {
    const g = noGrad(() => grad(f)(a, b));
    expect(values(g)).toEqual([9, 16]);
    expect(a.grad).toBeNull();
  });

  it('the gradient of a function that ignores its argument is zeros of its shape', () => {
    const g = grad(() => f64(3).mul(2))(f64([1, 2, 3]));
    expect([g.shape, values(g)]).toEqual([[3], [0, 0, 0]]);
  });

  it('refuses bad argnums and non-scalar functions', () => {
    expect(() => grad(f, 2)(a, b)).toThrow('grad: argnum 2 is out of range for 2 arguments');
    expect(() => grad((x: Tensor) => x.mul(2))(a)).toThrow('grad: the function must return a scalar, got shape [2]');
  });
});

describe('higher order', () => {
  const at = (x: number): Tensor => f64(x);

  it('grad(grad(x^3)) = 6x and grad^3(x^4) = 24x', () => {
    const cube = (x: Tensor): Tensor => x.mul(x).mul(x);
    expect(grad(grad(cube))(at(1.5)).itemSync()).toBeCloseTo(9, 12);
    const quart = (x: Tensor): Tensor => x.pow(4);
    expect(grad(grad(grad(quart)))(at(0.5)).itemSync()).toBeCloseTo(12, 12);
  });

  it('second derivatives of exp, tanh, sigmoid, log', () => {
    const x = 0.7;
    const t = Math.tanh(x);
    const s = 1 / (1 + Math.exp(-x));
    expect(grad(grad((v: Tensor) => v.mul(2).exp()))(at(x)).itemSync()).toBeCloseTo(4 * Math.exp(2 * x), 12);
    expect(grad(grad((v: Tensor) => v.tanh()))(at(x)).itemSync()).toBeCloseTo(-2 * t * (1 - t * t), 12);
    expect(grad(grad((v: Tensor) => v.sigmoid()))(at(x)).itemSync()).toBeCloseTo(s * (1 - s) * (1 - 2 * s), 12);
    expect(grad(grad((v: Tensor) => v.log()))(at(x)).itemSync()).toBeCloseTo(-1 / (x * x), 12);
  });

  it('mixed partials through a closure: d/dx [d/dy (x y)^2] = 4 x y', () => {
    const y0 = at(3);
    const inner = (x: Tensor): Tensor => grad((y: Tensor) => x.mul(y).pow(2))(y0); // 2 x^2 y
    expect(grad(inner)(at(2)).itemSync()).toBeCloseTo(4 * 2 * 3, 12);
  });

  it('a first-order grad of plain inputs carries no graph; one over a captured parameter does', () => {
    const g = grad((x: Tensor) => x.mul(x).sum())(f64([1, 2]));
    expect(g.requiresGrad).toBe(false);
    // input-gradient penalty: d/dw sum((d/dx sum(w x^2))^2) = d/dw sum((2 w x)^2) = 8 w sum(x^2)
    const w = f64(0.5, true);
    const gx = grad((x: Tensor) => x.mul(x).mul(w).sum())(f64([1, 2]));
    gx.mul(gx).sum().backward();
    expect(w.grad!.itemSync()).toBeCloseTo(8 * 0.5 * 5, 12);
  });

  it('backward through a grad computed with backward-of-backward (Hessian-vector product of a quadratic)', () => {
    // f(x) = 0.5 x^T A x with symmetric A: grad = A x, and the HVP with v is A v
    const A = tensor(
      [
        [2, 1],
        [1, 3],
      ],
      { dtype: 'float64' },
    );
    const f = (x: Tensor): Tensor => x.matmul(A).mul(x).sum().mul(0.5);
    const v = f64([1, -1]);
    const hvp = grad((x: Tensor) => grad(f)(x).mul(v).sum())(f64([0.3, 0.4]));
    expect(values(hvp)).toEqual([1, -2]);
  });
});
