// Elementwise kernels: unary maps, broadcasting binary ops (operands read through strided views), where, and cast.
// The float formulas match the CPU backend's semantics (NaN propagation in maximum/minimum, sign-split sigmoid,
// NaN for logs of negatives), and replace WGSL builtins where those are too loose for float32 tolerance near 0/1.

import { isIntUnaryOp, type BinaryOp, type DType, type IntUnaryOp, type StridedView, type UnaryOp } from '../backend.js';
import type { Runner } from './runner.js';
import { PARAMS, SPECIAL, STRIDED_OFF, binding, groupsFor, load, main1d, stridedParams, wgslType } from './wgsl.js';

/** Float helpers, each with the helpers it calls. WGSL's log has only ~2^-21 *absolute* accuracy on [0.5, 2] (so
 *  log(1 + 1e-4) would be off by ~0.5%), and it has no expm1/log1p; short series fix both. tanh is rebuilt from expm1:
 *  the builtin may overflow to NaN for large |x| on some drivers. A shader gets only the helpers its expression names,
 *  because pipeline compilation time grows with shader size (hundreds of ms each under a software driver). */
const MATH: Record<string, [string, string[]]> = {
  log1p_small: [`
fn log1p_small(x: f32) -> f32 {
  // 2 atanh(s) with s = x / (2 + x); |s| <= 1/3 on |x| < 0.5, so seven terms reach float32 precision
  let s = x / (2.0 + x);
  let s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 / 13.0))))));
}`, []],
  log_: [`
fn log_(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan(); }
  if (x == 0.0) { return -inf(); }
  if (abs(x - 1.0) < 0.5) { return log1p_small(x - 1.0); }
  return log(x);
}`, ['log1p_small']],
  log1p_: [`
fn log1p_(x: f32) -> f32 {
  if (abs(x) < 0.5) { return log1p_small(x); }
  return log_(1.0 + x);
}`, ['log1p_small', 'log_']],
  expm1_: [`
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0
      + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x / 362880.0))))))));
  }
  return exp(x) - 1.0;
}`, []],
  tanh_: [`
fn tanh_(x: f32) -> f32 {
  let e = expm1_(-2.0 * abs(x));
  let t = -e / (2.0 + e);
  return select(t, -t, x < 0.0);
}`, ['expm1_']],
  sigmoid_: [`
fn sigmoid_(x: f32) -> f32 {
  // split on the sign so exp never overflows, as on the CPU
  let e = exp(-abs(x));
  let r = 1.0 / (1.0 + e);
  return select(e * r, r, x >= 0.0);
}`, []],
  pow_: [`
fn pow_(x: f32, y: f32) -> f32 {
  // WGSL's pow is undefined for x <= 0; follow Math.pow: integer exponents of negative bases keep their sign
  if (y == 0.0) { return 1.0; }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (is_nan(x) || is_nan(y)) { return nan(); }
  let whole = round(y) == y;
  if (x < 0.0 && !whole) { return nan(); }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) { r = select(inf(), 0.0, y > 0.0); } else { r = exp2(y * log2(ax)); }
  if (x < 0.0 && abs(y % 2.0) == 1.0) { r = -r; }
  return r;
}`, []],
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
  const code = (): string => PARAMS + SPECIAL + helpers(expr) + binding(1, 'X', 'read') + binding(2, 'Y', 'read_write') + main1d(`
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
  lt: 'a < b', le: 'a <= b', gt: 'a > b', ge: 'a >= b', eq: 'a == b', ne: 'a != b',
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

export function binary(
  rt: Runner, op: BinaryOp, a: GPUBuffer, av: StridedView, b: GPUBuffer, bv: StridedView, inDtype: DType, outDtype: DType,
): GPUBuffer {
  const { n, params } = stridedParams(op, [av, bv]);
  const out = rt.output(op, n * 4);
  const expr = (inDtype === 'int32' ? BINARY_I32 : BINARY_F32)[op];
  const outT = wgslType(outDtype);
  const result = COMPARISONS.has(op) ? `select(${outT}(0), ${outT}(1), ${expr})` : `${outT}(${expr})`;
  const code = (): string => PARAMS + SPECIAL + helpers(expr) + STRIDED_OFF
    + binding(1, 'A', 'read') + binding(2, 'B', 'read') + binding(3, 'Y', 'read_write') + main1d(`
  if (i >= p(0)) { return; }
  let a = ${load(inDtype, 'A[strided_off(i, 0u)]')};
  let b = ${load(inDtype, 'B[strided_off(i, 1u)]')};
  Y[i] = bitcast<u32>(${result});`);
  rt.dispatch(`binary:${op}:${inDtype}:${outDtype}`, code, params, [a, b, out], groupsFor(n));
  return out;
}

/** out = cond != 0 ? a : b. The values are moved as raw bits, so one pipeline per cond dtype serves both dtypes. */
export function where(
  rt: Runner, cond: GPUBuffer, cv: StridedView, condDtype: DType, a: GPUBuffer, av: StridedView, b: GPUBuffer, bv: StridedView,
): GPUBuffer {
  const { n, params } = stridedParams('where', [cv, av, bv]);
  const out = rt.output('where', n * 4);
  const zero = condDtype === 'int32' ? '0i' : '0.0';
  const code = (): string => PARAMS + STRIDED_OFF
    + binding(1, 'C', 'read') + binding(2, 'A', 'read') + binding(3, 'B', 'read') + binding(4, 'Y', 'read_write') + main1d(`
  if (i >= p(0)) { return; }
  let c = ${load(condDtype, 'C[strided_off(i, 0u)]')};
  Y[i] = select(B[strided_off(i, 2u)], A[strided_off(i, 1u)], c != ${zero});`);
  rt.dispatch(`where:${condDtype}`, code, params, [cond, a, b, out], groupsFor(n));
  return out;
}

export function cast(rt: Runner, x: GPUBuffer, n: number, from: DType, to: DType): GPUBuffer {
  const out = rt.output('cast', n * 4);
  // truncation toward zero like the CPU's Math.trunc; NaN becomes 0 as an Int32Array store would make it
  const expr = to === 'int32' ? 'select(i32(x), 0i, is_nan(x))' : 'f32(x)';
  const code = (): string => PARAMS + SPECIAL + binding(1, 'X', 'read') + binding(2, 'Y', 'read_write') + main1d(`
  if (i >= p(0)) { return; }
  let x = ${load(from, 'X[i]')};
  Y[i] = bitcast<u32>(${expr});`);
  rt.dispatch(`cast:${from}:${to}`, code, [n], [x, out], groupsFor(n));
  return out;
}
