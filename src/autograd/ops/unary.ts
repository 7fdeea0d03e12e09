// Elementwise unary ops. Primitives call the backend; activations are composed from primitives, or (where a
// composition would have a wrong derivative at a kink, like softplus at 0) get their own rule in Tensor ops.

import { GELU_A, GELU_C, isIntUnaryOp, type UnaryOp } from '../../backends/backend.js';
import type { Tensor } from '../../tensor.js';
import { noGrad, record, type BackwardRule } from '../graph.js';
import { checkInputs, output, requireFloat } from './util.js';
import { canFuse, fusedGelu } from './fused.js';

function primitive(op: UnaryOp, x: Tensor, backward: (g: Tensor, out: Tensor) => Tensor | null): Tensor {
  checkInputs(op, x);
  if (!isIntUnaryOp(op)) requireFloat(op, x);
  const out = output(op, x.backend.unary(op, x.storage), x.shape, x.backend, [x]);
  return record(op, out, [x], (g) => [backward(g, out)]);
}

/** Elementwise -x (int32 too). */
export const neg = (x: Tensor): Tensor => primitive('neg', x, (g) => g.neg());
/** Elementwise e^x. */
export const exp = (x: Tensor): Tensor => primitive('exp', x, (g, out) => g.mul(out));
/** Elementwise natural logarithm. */
export const log = (x: Tensor): Tensor => primitive('log', x, (g) => g.div(x));
/** Elementwise square root. */
export const sqrt = (x: Tensor): Tensor => primitive('sqrt', x, (g, out) => g.div(out.mul(2)));
/** Elementwise hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => primitive('tanh', x, (g, out) => g.mul(out.mul(out).neg().add(1)));
/** Elementwise 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor): Tensor => primitive('sigmoid', x, (g, out) => g.mul(out.mul(out.neg().add(1))));
/** Elementwise |x| (int32 too); the gradient at 0 is 0. */
export const abs = (x: Tensor): Tensor => primitive('abs', x, (g) => g.mul(x.sign()));
/** Elementwise sign: -1, 0 or 1 (int32 too); not differentiable (zero gradient). */
export const sign = (x: Tensor): Tensor => primitive('sign', x, () => null);
/** Elementwise e^x - 1, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => primitive('expm1', x, (g, out) => g.mul(out.add(1)));
/** Elementwise log(1 + x), accurate near 0. */
export const log1p = (x: Tensor): Tensor => primitive('log1p', x, (g) => g.div(x.add(1)));
/** Elementwise 1 / x. */
export const reciprocal = (x: Tensor): Tensor => primitive('reciprocal', x, (g, out) => g.mul(out.mul(out)).neg());

/** An op whose forward is any composition (run without recording) and whose backward is given explicitly. */
export function composite(op: string, inputs: Tensor[], forward: () => Tensor, backward: BackwardRule): Tensor {
  checkInputs(op, ...inputs);
  const out = noGrad(forward);
  return record(op, out, inputs, backward);
}

/**
 * relu(x) = max(x, 0), with gradient (x > 0): 0 at 0, like torch. Not x * (x > 0), which is NaN at -Infinity
 * (-Inf * 0) and -0 for negative x; max keeps NaN as NaN.
 */
export function relu(x: Tensor): Tensor {
  return composite(
    'relu',
    [x],
    () => x.maximum(0),
    (g) => [g.mul(x.gt(0))],
  );
}

/** GPT-2's gelu (tanh form): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Smooth, so composed. */
export function gelu(x: Tensor): Tensor {
  checkInputs('gelu', x);
  requireFloat('gelu', x);
  if (canFuse(x, 'gelu')) return fusedGelu(x);
  const inner = x.add(x.mul(x).mul(x).mul(GELU_A)).mul(GELU_C);
  return x.mul(0.5).mul(inner.tanh().add(1));
}

/** softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows; d/dx = sigmoid(x). */
export function softplus(x: Tensor): Tensor {
  requireFloat('softplus', x);
  return composite(
    'softplus',
    [x],
    // max(x, 0) keeps logSigmoid(+Inf) = -softplus(-Inf) at 0, not NaN
    () => x.maximum(0).add(x.abs().neg().exp().log1p()),
    (g) => [g.mul(x.sigmoid())],
  );
}

/** log(sigmoid(x)) = -softplus(-x), stable for large |x|. */
export function logSigmoid(x: Tensor): Tensor {
  checkInputs('logSigmoid', x);
  requireFloat('logSigmoid', x);
  return softplus(x.neg()).neg();
}

/** log(1 - e^x) for x <= 0 (Maechler's log1mexp): log(-expm1(x)) near 0, log1p(-e^x) far from it. */
export function log1mexp(x: Tensor): Tensor {
  requireFloat('log1mexp', x);
  return composite(
    'log1mexp',
    [x],
    () => {
      const near = x.gt(-Math.LN2);
      // each branch is evaluated where the other is selected too; clamp so neither produces NaN there
      const nearVal = x.minimum(-1e-300).expm1().neg().log();
      const farVal = x.minimum(-Math.LN2).exp().neg().log1p();
      return nearVal.where(near, farVal);
    },
    // d/dx log(1 - e^x) = -e^x / (1 - e^x) = e^x / expm1(x): unlike -1 / expm1(-x), no step overflows for very
    // negative x (expm1(100) is Inf in float32), so anomaly mode sees no Inf where the gradient is finite
    (g) => [g.mul(x.exp()).div(x.expm1())],
  );
}
