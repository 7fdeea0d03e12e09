// Elementwise CPU kernels: unary maps, broadcasting binary ops, where and cast.

import type { BinaryOp, DType, StridedView, TypedArray, UnaryOp } from '../backend.js';
import { alloc } from './pool.js';
import { isConstant, isContiguous, sizeOf } from './strided.js';
import { collapse, forEachRow } from './walk.js';

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  // split on the sign so neither branch overflows exp
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  expm1: Math.expm1,
  log1p: Math.log1p,
  reciprocal: (x) => 1 / x,
};

export function unary(op: UnaryOp, x: TypedArray, dtype: DType): TypedArray {
  const out = alloc(dtype, x.length);
  const n = x.length;
  switch (op) {
    // the hottest maps get their own loops so V8 can inline them
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    default: {
      const f = UNARY[op];
      for (let i = 0; i < n; i++) out[i] = f(x[i]);
    }
  }
  return out;
}

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};

function contiguousBinary(op: BinaryOp, a: TypedArray, b: TypedArray, out: TypedArray): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      return;
    default: {
      const f = BINARY[op];
      for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    }
  }
}

function scalarRightBinary(op: BinaryOp, a: TypedArray, b: number, out: TypedArray): void {
  const n = out.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i] + b;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i] - b;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i] * b;
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = a[i] / b;
      return;
    default: {
      const f = BINARY[op];
      for (let i = 0; i < n; i++) out[i] = f(a[i], b);
    }
  }
}

/** out[w..w+n) = op(a[ia + j*sa], b[ib + j*sb]): one row of a broadcast binary op, hot ops specialised. */
function binaryRow(
  op: BinaryOp,
  f: (x: number, y: number) => number,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
  out: TypedArray,
  w: number,
  n: number,
): void {
  if (sa === 1 && sb === 0) {
    const y = b[ib];
    switch (op) {
      case 'add':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] + y;
        return;
      case 'sub':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] - y;
        return;
      case 'mul':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] * y;
        return;
      case 'div':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] / y;
        return;
    }
  } else if (sa === 1 && sb === 1) {
    switch (op) {
      case 'add':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] + b[ib + j];
        return;
      case 'sub':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] - b[ib + j];
        return;
      case 'mul':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] * b[ib + j];
        return;
      case 'div':
        for (let j = 0; j < n; j++) out[w + j] = a[ia + j] / b[ib + j];
        return;
    }
  } else if (sa === 0 && sb === 1) {
    const x = a[ia];
    switch (op) {
      case 'add':
        for (let j = 0; j < n; j++) out[w + j] = x + b[ib + j];
        return;
      case 'sub':
        for (let j = 0; j < n; j++) out[w + j] = x - b[ib + j];
        return;
      case 'mul':
        for (let j = 0; j < n; j++) out[w + j] = x * b[ib + j];
        return;
      case 'div':
        for (let j = 0; j < n; j++) out[w + j] = x / b[ib + j];
        return;
    }
  }
  for (let j = 0; j < n; j++) out[w + j] = f(a[ia + j * sa], b[ib + j * sb]);
}

export function binary(
  op: BinaryOp,
  a: TypedArray,
  av: StridedView,
  b: TypedArray,
  bv: StridedView,
  outDtype: DType,
): TypedArray {
  const n = sizeOf(av.shape);
  const out = alloc(outDtype, n);
  const aFull = isContiguous(av) && a.length === n;
  const bFull = isContiguous(bv) && b.length === n;
  if (aFull && bFull) {
    contiguousBinary(op, a, b, out);
  } else if (aFull && isConstant(bv)) {
    scalarRightBinary(op, a, b[bv.offset], out);
  } else {
    const f = BINARY[op];
    const walk = collapse([av, bv]);
    const inner = walk.shape[walk.shape.length - 1];
    const sa = walk.strides[0][walk.shape.length - 1];
    const sb = walk.strides[1][walk.shape.length - 1];
    forEachRow(walk, (offs, w) => binaryRow(op, f, a, offs[0], sa, b, offs[1], sb, out, w, inner));
  }
  return out;
}

export function where(
  cond: TypedArray,
  cv: StridedView,
  a: TypedArray,
  av: StridedView,
  b: TypedArray,
  bv: StridedView,
  dtype: DType,
): TypedArray {
  const out = alloc(dtype, sizeOf(cv.shape));
  const walk = collapse([cv, av, bv]);
  const last = walk.shape.length - 1;
  const inner = walk.shape[last];
  const [sc, sa, sb] = walk.strides.map((s) => s[last]);
  forEachRow(walk, (offs, w) => {
    const ic = offs[0],
      ia = offs[1],
      ib = offs[2];
    if (sc === 1 && sa === 1 && sb === 0) {
      // masking with a constant (attention scores): the common case, without stride arithmetic
      const other = b[ib];
      for (let j = 0; j < inner; j++) out[w + j] = cond[ic + j] !== 0 ? a[ia + j] : other;
    } else {
      for (let j = 0; j < inner; j++) out[w + j] = cond[ic + j * sc] !== 0 ? a[ia + j * sa] : b[ib + j * sb];
    }
  });
  return out;
}

export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = alloc(dtype, x.length);
  if (dtype === 'int32') {
    // truncate toward zero like torch's .to(torch.int32)
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  } else {
    out.set(x);
  }
  return out;
}
