// Fused row kernels over the last axis of a contiguous [rows, d] tensor: softmax, logSoftmax, layer
// normalisation and tanh-GELU, with their backward kernels. One pass per row instead of five to ten elementwise
// ops and temporaries; sums are in double precision. Each equals its composed reference (test/backends/cpu).

import { GELU_A, GELU_C, type DType, type TypedArray } from '../backend.js';
import { alloc } from './pool.js';

/**
 * Row max that ignores nothing: a NaN row gives NaN; an all -Infinity row gives a shift of 0 (like the composition).
 */
function rowShift(x: TypedArray, o: number, d: number): number {
  let m = -Infinity;
  for (let j = 0; j < d; j++) {
    const v = x[o + j];
    if (v > m || v !== v) m = v;
  }
  return m === -Infinity || m === Infinity ? 0 : m;
}

export function softmax(x: TypedArray, rows: number, d: number, dtype: DType): TypedArray {
  const out = alloc(dtype, rows * d);
  for (let r = 0, o = 0; r < rows; r++, o += d) {
    const m = rowShift(x, o, d);
    let s = 0;
    for (let j = 0; j < d; j++) {
      const e = Math.exp(x[o + j] - m);
      out[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < d; j++) out[o + j] *= inv;
  }
  return out;
}

export function logSoftmax(x: TypedArray, rows: number, d: number, dtype: DType): TypedArray {
  const out = alloc(dtype, rows * d);
  for (let r = 0, o = 0; r < rows; r++, o += d) {
    const m = rowShift(x, o, d);
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.exp(x[o + j] - m);
    const lse = Math.log(s) + m;
    for (let j = 0; j < d; j++) out[o + j] = x[o + j] - lse;
  }
  return out;
}

/** dx = y * (g - sum(g * y)) per row, for y = softmax(x). */
export function softmaxBackward(y: TypedArray, g: TypedArray, rows: number, d: number, dtype: DType): TypedArray {
  const out = alloc(dtype, rows * d);
  for (let r = 0, o = 0; r < rows; r++, o += d) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += g[o + j] * y[o + j];
    for (let j = 0; j < d; j++) out[o + j] = y[o + j] * (g[o + j] - dot);
  }
  return out;
}

/** dx = g - exp(y) * sum(g) per row, for y = logSoftmax(x). */
export function logSoftmaxBackward(y: TypedArray, g: TypedArray, rows: number, d: number, dtype: DType): TypedArray {
  const out = alloc(dtype, rows * d);
  for (let r = 0, o = 0; r < rows; r++, o += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += g[o + j];
    for (let j = 0; j < d; j++) out[o + j] = g[o + j] - Math.exp(y[o + j]) * s;
  }
  return out;
}

/** xhat = (x - mean) / sqrt(var + eps) per row (biased variance), with the per-row rstd = 1 / sqrt(var + eps). */
export function layerNorm(
  x: TypedArray,
  rows: number,
  d: number,
  eps: number,
  dtype: DType,
): { y: TypedArray; rstd: TypedArray } {
  const y = alloc(dtype, rows * d);
  const rstd = alloc(dtype, rows);
  for (let r = 0, o = 0; r < rows; r++, o += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[o + j];
    const mean = s / d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const c = x[o + j] - mean;
      v += c * c;
    }
    const k = 1 / Math.sqrt(v / d + eps);
    rstd[r] = k;
    for (let j = 0; j < d; j++) y[o + j] = (x[o + j] - mean) * k;
  }
  return { y, rstd };
}

/** dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) per row, for xhat = layerNorm(x). */
export function layerNormBackward(
  xhat: TypedArray,
  rstd: TypedArray,
  g: TypedArray,
  rows: number,
  d: number,
  dtype: DType,
): TypedArray {
  const out = alloc(dtype, rows * d);
  for (let r = 0, o = 0; r < rows; r++, o += d) {
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < d; j++) {
      sg += g[o + j];
      sgx += g[o + j] * xhat[o + j];
    }
    const mg = sg / d;
    const mgx = sgx / d;
    const k = rstd[r];
    for (let j = 0; j < d; j++) out[o + j] = k * (g[o + j] - mg - xhat[o + j] * mgx);
  }
  return out;
}

/**
 * tanh(z) = 1 - 2 / (e^{2z} + 1): Math.exp is several times cheaper than Math.tanh in V8, and the absolute error
 * (~1e-16, all GELU needs since t is multiplied by x) is the same; overflow to e^{2z} = Infinity gives exactly 1.
 */
function tanh(z: number): number {
  return 1 - 2 / (Math.exp(2 * z) + 1);
}

/** GPT-2's tanh-GELU: 0.5 x (1 + tanh(c (x + a x^3))). */
export function gelu(x: TypedArray, dtype: DType): TypedArray {
  const out = alloc(dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = 0.5 * v * (1 + tanh(GELU_C * (v + GELU_A * v * v * v)));
  }
  return out;
}

/** g * gelu'(x), gelu'(x) = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2) with t = tanh(c (x + a x^3)). */
export function geluBackward(x: TypedArray, g: TypedArray, dtype: DType): TypedArray {
  const out = alloc(dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = tanh(GELU_C * (v + GELU_A * v * v * v));
    out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v));
  }
  return out;
}
