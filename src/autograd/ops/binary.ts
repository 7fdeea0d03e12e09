// Broadcasting binary ops and where. Backward rules reduce the incoming gradient back to each operand's shape.

import type { BinaryOp } from '../../backends/backend.js';
import type { Tensor } from '../../tensor.js';
import { broadcastShapes, broadcastView, fmt, sameShape } from '../../shape.js';
import { record } from '../graph.js';
import { asTensor, checkInputs, output, promote, type Operand } from './util.js';

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return g.sum(axes, true).reshape(shape);
}

function prepare(op: string, x: Operand, y: Operand): [Tensor, Tensor, number[]] {
  if (typeof x === 'number' && typeof y === 'number') throw new Error(`${op}: at least one operand must be a Tensor`);
  const like = (typeof x === 'number' ? y : x) as Tensor;
  const a = asTensor(op, x, like);
  const b = asTensor(op, y, like);
  checkInputs(op, a, b);
  const dtype = promote(a.dtype, b.dtype);
  // astype hands back the tensor itself when the dtype already matches
  return [a.astype(dtype), b.astype(dtype), broadcastShapes(op, a.shape, b.shape)];
}

function raw(op: BinaryOp, a: Tensor, b: Tensor, outShape: number[], outDtype = a.dtype): Tensor {
  const s = a.backend.binary(
    op,
    a.storage,
    broadcastView(a.shape, outShape),
    b.storage,
    broadcastView(b.shape, outShape),
    outDtype,
  );
  return output(op, s, outShape, a.backend, [a, b]);
}

/** Elementwise x + y, broadcasting; a number operand takes the tensor's dtype. */
export function add(x: Operand, y: Operand): Tensor {
  const [a, b, shape] = prepare('add', x, y);
  return record('add', raw('add', a, b, shape), [a, b], (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}

/** Elementwise x - y, broadcasting. */
export function sub(x: Operand, y: Operand): Tensor {
  const [a, b, shape] = prepare('sub', x, y);
  return record('sub', raw('sub', a, b, shape), [a, b], (g, needs) => [
    sumTo(g, a.shape),
    needs[1] ? sumTo(g.neg(), b.shape) : null,
  ]);
}

/** Elementwise x * y, broadcasting. */
export function mul(x: Operand, y: Operand): Tensor {
  const [a, b, shape] = prepare('mul', x, y);
  return record('mul', raw('mul', a, b, shape), [a, b], (g, needs) => [
    needs[0] ? sumTo(g.mul(b), a.shape) : null,
    needs[1] ? sumTo(g.mul(a), b.shape) : null,
  ]);
}

/** Elementwise x / y, broadcasting; true division (int32 operands give float32). */
export function div(x: Operand, y: Operand): Tensor {
  let [a, b, shape] = prepare('div', x, y);
  if (a.dtype === 'int32') [a, b] = [a.astype('float32'), b.astype('float32')]; // true division, like torch
  return record('div', raw('div', a, b, shape), [a, b], (g, needs) => [
    needs[0] ? sumTo(g.div(b), a.shape) : null,
    needs[1] ? sumTo(g.mul(a).div(b.mul(b)).neg(), b.shape) : null,
  ]);
}

/** Elementwise x ** y, broadcasting; differentiable in both (the exponent's gradient uses log x). */
export function pow(x: Operand, y: Operand): Tensor {
  const [a, b, shape] = prepare('pow', x, y);
  const out = raw('pow', a, b, shape);
  return record('pow', out, [a, b], (g, needs) => [
    needs[0] ? sumTo(g.mul(b).mul(a.pow(b.sub(1))), a.shape) : null,
    // only asked for when the exponent is a variable, so log(a) of a negative base never leaks in otherwise
    needs[1] ? sumTo(g.mul(out).mul(a.log()), b.shape) : null,
  ]);
}

/** maximum/minimum: ties split the gradient equally between the operands (as torch does). */
function extremum(op: 'maximum' | 'minimum', x: Operand, y: Operand): Tensor {
  const [a, b, shape] = prepare(op, x, y);
  const out = raw(op, a, b, shape);
  return record(op, out, [a, b], (g, needs) => {
    const wins = raw(op === 'maximum' ? 'gt' : 'lt', a, b, shape);
    const ties = raw('eq', a, b, shape);
    const weightA = wins.add(ties.mul(0.5));
    return [
      needs[0] ? sumTo(g.mul(weightA), a.shape) : null,
      needs[1] ? sumTo(g.mul(weightA.neg().add(1)), b.shape) : null,
    ];
  });
}

/** Elementwise maximum, broadcasting; ties split the gradient equally. */
export const maximum = (x: Operand, y: Operand): Tensor => extremum('maximum', x, y);
/** Elementwise minimum, broadcasting; ties split the gradient equally. */
export const minimum = (x: Operand, y: Operand): Tensor => extremum('minimum', x, y);

/** Comparisons give a 0/1 mask in the operands' promoted dtype; they are not differentiable. */
export function compare(op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne', x: Operand, y: Operand): Tensor {
  const [a, b, shape] = prepare(op, x, y);
  return raw(op, a, b, shape);
}

/** 1 where x < y, else 0 (broadcast; not differentiable). */
export const lt = (x: Operand, y: Operand): Tensor => compare('lt', x, y);
/** 1 where x <= y, else 0 (broadcast; not differentiable). */
export const le = (x: Operand, y: Operand): Tensor => compare('le', x, y);
/** 1 where x > y, else 0 (broadcast; not differentiable). */
export const gt = (x: Operand, y: Operand): Tensor => compare('gt', x, y);
/** 1 where x >= y, else 0 (broadcast; not differentiable). */
export const ge = (x: Operand, y: Operand): Tensor => compare('ge', x, y);
/** 1 where x == y, else 0 (broadcast; not differentiable). */
export const eq = (x: Operand, y: Operand): Tensor => compare('eq', x, y);
/** 1 where x != y, else 0 (broadcast; not differentiable). */
export const ne = (x: Operand, y: Operand): Tensor => compare('ne', x, y);

/** x * x, with x checked once (so an error names 'square'). */
export function square(x: Tensor): Tensor {
  x.assertAlive('square');
  return mul(x, x);
}

/** where(cond, a, b): a where cond != 0, else b; all three broadcast together. */
export function where(cond: Tensor, x: Operand, y: Operand): Tensor {
  checkInputs('where', cond);
  const [a, b] =
    typeof x === 'number' && typeof y === 'number'
      ? prepare('where', asTensor('where', x, cond.dtype === 'int32' ? cond.astype('float32') : cond), y)
      : prepare('where', x, y);
  checkInputs('where', cond, a);
  let shape: number[];
  try {
    shape = broadcastShapes('where', cond.shape, broadcastShapes('where', a.shape, b.shape));
  } catch {
    throw new Error(
      `where: cond ${fmt(cond.shape)}, a ${fmt(a.shape)} and b ${fmt(b.shape)} cannot be broadcast together`,
    );
  }
  const s = a.backend.where(
    cond.storage,
    broadcastView(cond.shape, shape),
    a.storage,
    broadcastView(a.shape, shape),
    b.storage,
    broadcastView(b.shape, shape),
  );
  const out = output('where', s, shape, a.backend, [cond, a, b]);
  return record('where', out, [cond, a, b], (g, needs) => {
    const zero = g.mul(0);
    return [
      null,
      needs[1] ? sumTo(where(cond, g, zero), a.shape) : null,
      needs[2] ? sumTo(where(cond, zero, g), b.shape) : null,
    ];
  });
}
