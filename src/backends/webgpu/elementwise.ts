// Elementwise kernels: unary maps, broadcasting binary ops (operands read through strided views), where, and cast.
// The float formulas match the CPU backend's semantics (NaN propagation in maximum/minimum, sign-split sigmoid,
// NaN for logs of negatives), and replace WGSL builtins where those are too loose for float32 tolerance near 0/1.

import type { GPUBuffer } from './gpu-types.js';
import {
  isIntUnaryOp,
  type BinaryOp,
  type DType,
  type IntUnaryOp,
  type StridedView,
  type UnaryOp,
} from '../backend.js';
import type { Runner } from './runner.js';
import { PARAMS, SPECIAL, STRIDED_OFF, binding, groupsFor, load, main1d, stridedParams, wgslType } from './wgsl.js';

/** Float helpers, each with the helpers it calls. WGSL's log has only ~2^-21 *absolute* accuracy on [0.5, 2] (so
 *  log(1 + 1e-4) would be off by ~0.5%), and it has no expm1/log1p; short series fix both. tanh is rebuilt from expm1:
 *  the builtin may overflow to NaN for large |x| on some drivers. A shader gets only the helpers its expression names,
 *  because pipeline compilation time grows with shader size (hundreds of ms each under a software driver). */
const MATH: Record<string, [string, string[]]> = {
  log1p_small: [
    `
fn log1p_small(x: f32) -> f32 {
  // 2 atanh(s) with s = x / (2 + x); |s| <= 1/3 on |x| < 0.5, so seven terms reach float32 precision
  let s = x / (2.0 + x);
  let s2 = s * s;
  let p7 = 1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 / 13.0));
  return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * p7)));
}`,
    [],
  ],
  log_: [
    `
fn log_(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan(); }
  if (x == 0.0) { return -inf(); }
  if (abs(x - 1.0) < 0.5) { return log1p_small(x - 1.0); }
  return log(x);
}`,
    ['log1p_small'],
  ],
  log1p_: [
    `
fn log1p_(x: f32) -> f32 {
  if (abs(x) < 0.5) { return log1p_small(x); }
  return log_(1.0 + x);
}`,
    ['log1p_small', 'log_'],
  ],
  expm1_: [
    `
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0
      + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x / 362880.0))))))));
  }
  return exp(x) - 1.0;
}`,
    [],
  ],
  tanh_: [
    `
fn tanh_(x: f32) -> f32 {
  let e = expm1_(-2.0 * abs(x));
  let t = -e / (2.0 + e);
  return select(t, -t, x < 0.0);
}`,
    ['expm1_'],
  ],
  sigmoid_: [
    `
fn sigmoid_(x: f32) -> f32 {
  // split on the sign so exp never overflows, as on the CPU
  let e = exp(-abs(x));
  let r = 1.0 / (1.0 + e);
  return select(e * r, r, x >= 0.0);
}`,
    [],
  ],
  log2_: [
    `
fn log2_(ax: f32) -> f32 {
  // WGSL's log2 has only ~2^-21 absolute accuracy near 1, which pow's exponent multiplies (1.0001^10000 was off by
  // ~1e-3): split ax = m 2^e with m in [0.75, 1.5) and take log2(m) from the log1p series, accurate to float32
  let parts = frexp(ax);
  var m = parts.fract;
  var e = f32(parts.exp);
  if (m < 0.75) { m = m * 2.0; e = e - 1.0; }
  return e + log1p_small(m - 1.0) * 1.4426950408889634;
}`,
    ['log1p_small'],
  ],
  pow_: [
    `
fn pow_(x: f32, y: f32) -> f32 {
  // WGSL's pow is undefined for x <= 0; follow Math.pow: integer exponents of negative bases keep their sign
  if (y == 0.0) { return 1.0; }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (is_nan(x) || is_nan(y)) { return nan(); }
  let whole = round(y) == y;
  if (x < 0.0 && !whole && x != -inf()) { return nan(); }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) { r = select(inf(), 0.0, y > 0.0); }
  else if (ax == inf()) { r = select(0.0, inf(), y > 0.0); }
  else if (ax == 1.0) { r = select(1.0, nan(), abs(y) == inf()); } // Math.pow(1, Infinity) is NaN
  else { r = exp2(y * log2_(ax)); }
  // the sign bit, so that -0 ** -3 is -inf as in Math.pow
  if ((bitcast<u32>(x) >> 31u) == 1u && abs(y % 2.0) == 1.0) { r = -r; }
  return r;
}`,
    ['log2_'],
  ],
};

/** The helper definitions an expression needs, callees first (also used by the fused kernels). */
export function helpers(expr: string): string {
  const out: string[] = [];
  const add = (name: string): void => {
    if (out.includes(MATH[name][0])) return;
    MATH[name][1].forEach(add);
    out.push(MATH[name][0]);
  };
  for (const name of Object.keys(MATH)) if (expr.includes(`${name}(`)) add(name);
  return out.join('\n');
}

const UNARY_F32: Record<UnaryOp, string> = {
  neg: '-x',
  exp: 'exp(x)',
  log: 'log_(x)',
  sqrt: 'select(sqrt(x), nan(), x < 0.0 || is_nan(x))',
  tanh: 'tanh_(x)',
  abs: 'abs(x)',
  sign: 'select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0)',
  sigmoid: 'sigmoid_(x)',
  expm1: 'expm1_(x)',
  log1p: 'log1p_(x)',
  reciprocal: '1.0 / x',
};

const UNARY_I32: Record<IntUnaryOp, string> = { neg: '-x', abs: 'abs(x)', sign: 'sign(x)' };

export function unary(rt: Runner, op: UnaryOp, x: GPUBuffer, n: number, dtype: DType): GPUBuffer {
  const raw = dtype !== 'int32' ? UNARY_F32[op] : isIntUnaryOp(op) ? UNARY_I32[op] : undefined;
  if (!raw) throw new Error(`${op}: not defined for ${dtype} on webgpu`);
  // builtins may map NaN to a number (SwiftShader's exp(NaN) is inf): pass NaN through, except sign (NaN -> 0 on cpu)
  const expr = dtype === 'int32' || op === 'sign' ? raw : `select(${raw}, x, is_nan(x))`;
  const out = rt.output(op, n * 4);
  const code = (): string =>
    PARAMS +
    SPECIAL +
    helpers(expr) +
    binding(1, 'X', 'read') +
    binding(2, 'Y', 'read_write') +
    main1d(`
  if (i >= p(0)) { return; }
  let x = ${load(dtype, 'X[i]')};
  Y[i] = bitcast<u32>(${expr});`);
  rt.dispatch(`unary:${op}:${dtype}`, code, [n], [x, out], groupsFor(n));
  return out;
}

const BINARY_F32: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_(a, b)',
  maximum: 'select(select(b, a, a > b), nan(), is_nan(a) || is_nan(b))',
  minimum: 'select(select(b, a, a < b), nan(), is_nan(a) || is_nan(b))',
  lt: 'a < b',
  le: 'a <= b',
  gt: 'a > b',
  ge: 'a >= b',
  eq: 'a == b',
  ne: 'a != b',
};

/** int32 reuses the float formulas where they mean the same (the op layer casts int division to float first). */
const BINARY_I32: Record<BinaryOp, string> = {
  ...BINARY_F32,
  // Math.pow then an int32 store, as on the CPU
  pow: 'i32(pow_(f32(a), f32(b)))',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
};

const COMPARISONS = new Set<BinaryOp>(['lt', 'le', 'gt', 'ge', 'eq', 'ne']);

/** A binary operand: a buffer read through its view, or one value the CPU knows, passed as a uniform (its bits).
 *  At most one operand of a call may be a uniform. */
export type Operand = GPUBuffer | { bits: number };

/** Parameter word holding a uniform operand's bits (above the strided layout's words). */
const UNIFORM_WORD = 63;

export function binary(
  rt: Runner,
  op: BinaryOp,
  a: Operand,
  av: StridedView,
  b: Operand,
  bv: StridedView,
  inDtype: DType,
  outDtype: DType,
): GPUBuffer {
  const { n, params } = stridedParams(op, [av, bv]);
  const out = rt.output(op, n * 4);
  const expr = (inDtype === 'int32' ? BINARY_I32 : BINARY_F32)[op];
  const outT = wgslType(outDtype);
  const result = COMPARISONS.has(op) ? `select(${outT}(0), ${outT}(1), ${expr})` : `${outT}(${expr})`;
  // the caller passes at most one operand as a uniform
  const uniform = 'bits' in a ? 'a' : 'bits' in b ? 'b' : '';
  const words = new Uint32Array(UNIFORM_WORD + 1);
  words.set(params);
  const buffers: GPUBuffer[] = [];
  const read = (name: 'a' | 'b', x: Operand, k: number): string => {
    if (name === uniform) {
      words[UNIFORM_WORD] = (x as { bits: number }).bits;
      return load(inDtype, `p(${UNIFORM_WORD}u)`);
    }
    buffers.push(x as GPUBuffer);
    return load(inDtype, `${name.toUpperCase()}[strided_off(i, ${k}u)]`);
  };
  const loadA = read('a', a, 0);
  const loadB = read('b', b, 1);
  const decls =
    buffers.length === 2
      ? binding(1, 'A', 'read') + binding(2, 'B', 'read') + binding(3, 'Y', 'read_write')
      : binding(1, uniform === 'a' ? 'B' : 'A', 'read') + binding(2, 'Y', 'read_write');
  const code = (): string =>
    PARAMS +
    SPECIAL +
    helpers(expr) +
    STRIDED_OFF +
    decls +
    main1d(`
  if (i >= p(0)) { return; }
  let a = ${loadA};
  let b = ${loadB};
  Y[i] = bitcast<u32>(${result});`);
  rt.dispatch(
    `binary:${op}:${inDtype}:${outDtype}${uniform ? `:uniform-${uniform}` : ''}`,
    code,
    words,
    [...buffers, out],
    groupsFor(n),
  );
  return out;
}

/** out = cond != 0 ? a : b. The values are moved as raw bits, so one pipeline per cond dtype serves both dtypes.
 *  `b` may be a uniform (the `where(mask, x, 0)` of a masked loss). */
export function where(
  rt: Runner,
  cond: GPUBuffer,
  cv: StridedView,
  condDtype: DType,
  a: GPUBuffer,
  av: StridedView,
  b: Operand,
  bv: StridedView,
): GPUBuffer {
  const { n, params } = stridedParams('where', [cv, av, bv]);
  const out = rt.output('where', n * 4);
  const zero = condDtype === 'int32' ? '0i' : '0.0';
  const uniform = 'bits' in b;
  const words = new Uint32Array(UNIFORM_WORD + 1);
  words.set(params);
  if (uniform) words[UNIFORM_WORD] = b.bits;
  const code = (): string =>
    PARAMS +
    STRIDED_OFF +
    binding(1, 'C', 'read') +
    binding(2, 'A', 'read') +
    (uniform ? binding(3, 'Y', 'read_write') : binding(3, 'B', 'read') + binding(4, 'Y', 'read_write')) +
    main1d(`
  if (i >= p(0)) { return; }
  let c = ${load(condDtype, 'C[strided_off(i, 0u)]')};
  Y[i] = select(${uniform ? `p(${UNIFORM_WORD}u)` : 'B[strided_off(i, 2u)]'}, A[strided_off(i, 1u)], c != ${zero});`);
  rt.dispatch(
    `where:${condDtype}${uniform ? ':uniform-b' : ''}`,
    code,
    words,
    uniform ? [cond, a, out] : [cond, a, b, out],
    groupsFor(n),
  );
  return out;
}

/** Every step is exact in float32: t, 2^32 multiples of it and their difference are all multiples of t's ulp. */
const TO_I32 = `
fn to_i32_wrapping(x: f32) -> i32 {
  if (is_nan(x) || abs(x) == inf()) { return 0i; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  var r = t - 4294967296.0 * floor(t / 4294967296.0);
  if (r >= 2147483648.0) { r = r - 4294967296.0; }
  return i32(r);
}
`;

export function cast(rt: Runner, x: GPUBuffer, n: number, from: DType, to: DType): GPUBuffer {
  const out = rt.output('cast', n * 4);
  // truncation toward zero, then what an Int32Array store does with it on the CPU: wrap modulo 2^32 (WGSL's i32()
  // saturates instead), and 0 for NaN and infinities
  const expr = to === 'int32' ? 'to_i32_wrapping(x)' : 'f32(x)';
  const code = (): string =>
    PARAMS +
    SPECIAL +
    (to === 'int32' ? TO_I32 : '') +
    binding(1, 'X', 'read') +
    binding(2, 'Y', 'read_write') +
    main1d(`
  if (i >= p(0)) { return; }
  let x = ${load(from, 'X[i]')};
  Y[i] = bitcast<u32>(${expr});`);
  rt.dispatch(`cast:${from}:${to}`, code, [n], [x, out], groupsFor(n));
  return out;
}
