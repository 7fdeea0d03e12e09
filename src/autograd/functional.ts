// JAX-style functional API over graph.ts: grad, valueAndGrad, vjp.

import { Tensor, tensorView } from '../tensor.js';
import { fmt } from '../shape.js';
import { computeGradients, dependsOnOthers, enableGrad, isGradEnabled, record } from './graph.js';
import { full } from './ops/util.js';

type Fn = (...args: Tensor[]) => Tensor;

/** A differentiable identity: a fresh tensor that requires grad and still passes gradients on to `x`. */
function traced(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`grad: arguments to differentiate must be Tensors, got ${typeof x}`);
  if (x.dtype === 'int32')
    throw new Error(`grad: cannot differentiate with respect to an int32 tensor ${fmt(x.shape)}`);
  const t = tensorView(x, x.shape).requireGrad();
  return x.requiresGrad && isGradEnabled() ? record('identity', t, [x], (g) => [g]) : t;
}

/**
 * vjp(f, args) -> [f(args), pullback]: pullback(cotangent) gives the gradient of sum(f(args) * cotangent) for
 * each argument. Differentiable itself when the arguments are being traced (grad of grad).
 */
export function vjp(f: Fn, args: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  const inputs = args.map(traced);
  const out = enableGrad(() => f(...inputs));
  if (!(out instanceof Tensor)) throw new Error('vjp: the function must return a Tensor');
  // grad works even inside noGrad (as in JAX); only the result's own differentiability follows the outer mode.
  // The backward is recorded when something outside this call may differentiate it: a traced argument, or a
  // traced tensor that f captured.
  const createGraph = isGradEnabled() && (args.some((a) => a.requiresGrad) || dependsOnOthers(out, new Set(inputs)));
  const pullback = (cotangent: Tensor): Tensor[] => {
    if (cotangent.shape.join() !== out.shape.join()) {
      throw new Error(`vjp: cotangent shape ${fmt(cotangent.shape)} differs from output shape ${fmt(out.shape)}`);
    }
    if (!out.requiresGrad) return inputs.map((x) => full(x.shape, 0, x.dtype, x.backend));
    const seed = cotangent.dtype === out.dtype ? cotangent : cotangent.astype(out.dtype);
    const grads = computeGradients([out], [seed], inputs, createGraph);
    return inputs.map((x) => grads.get(x) ?? full(x.shape, 0, x.dtype, x.backend));
  };
  return [out, pullback];
}

/**
 * valueAndGrad(f, argnums)(...args) -> [f(args), gradient(s)]; f must return a scalar. One argnum (default 0)
 * gives one gradient; an array of argnums gives an array of gradients in the same order.
 */
export function valueAndGrad(f: Fn, argnums?: number): (...args: Tensor[]) => [Tensor, Tensor];
export function valueAndGrad(f: Fn, argnums: number[]): (...args: Tensor[]) => [Tensor, Tensor[]];
export function valueAndGrad(
  f: Fn,
  argnums: number | number[] = 0,
): (...args: Tensor[]) => [Tensor, Tensor | Tensor[]] {
  const which = Array.isArray(argnums) ? argnums : [argnums];
  return (...args: Tensor[]) => {
    for (const i of which) {
      if (i < 0 || i >= args.length) throw new Error(`grad: argnum ${i} is out of range for ${args.length} arguments`);
    }
    const [out, pullback] = vjp(
      (...xs) => f(...args.map((a, i) => (which.includes(i) ? xs[which.indexOf(i)] : a))),
      which.map((i) => args[i]),
    );
    if (out.size !== 1) throw new Error(`grad: the function must return a scalar, got shape ${fmt(out.shape)}`);
    const grads = pullback(full(out.shape, 1, out.dtype, out.backend));
    return [out, Array.isArray(argnums) ? grads : grads[0]];
  };
}

/** grad(f, argnums)(...args): the gradient of scalar f with respect to argument(s) argnums (default 0). */
export function grad(f: Fn, argnums?: number): (...args: Tensor[]) => Tensor;
export function grad(f: Fn, argnums: number[]): (...args: Tensor[]) => Tensor[];
export function grad(f: Fn, argnums: number | number[] = 0): (...args: Tensor[]) => Tensor | Tensor[] {
  const vg = Array.isArray(argnums) ? valueAndGrad(f, argnums) : valueAndGrad(f, argnums);
  return (...args: Tensor[]) => vg(...args)[1];
}
