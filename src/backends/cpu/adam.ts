// The fused Adam / AdamW update (Backend.adamUpdate) in plain TypeScript: one pass over the parameter instead of
// the dozen composed elementwise ops of optim/adam.ts. Every intermediate is rounded to the dtype in the same order
// as the composed update does it (float32: Math.fround after each op), so both give the same bits.

import type { AdamUpdateSpec, DType, TypedArray } from '../backend.js';
import type { WasmKernels } from '../wasm/runtime.js';
import { alloc } from './pool.js';

const keep64 = (x: number): number => x;

/** New param, m and v arrays; `scale` multiplies the gradient first (1 when clipping is not folded in). */
export function adamUpdate(
  param: TypedArray,
  grad: TypedArray,
  m: TypedArray,
  v: TypedArray,
  spec: AdamUpdateSpec,
  scale: number,
  dtype: DType,
): { param: TypedArray; m: TypedArray; v: TypedArray } {
  const r = dtype === 'float32' ? Math.fround : keep64;
  const n = param.length;
  const outP = alloc(dtype, n),
    outM = alloc(dtype, n),
    outV = alloc(dtype, n);
  const { beta1, beta2, weightDecay: wd, decoupled } = spec;
  const s = r(scale);
  const b1 = r(beta1),
    oneMinusB1 = r(1 - beta1),
    b2 = r(beta2),
    oneMinusB2 = r(1 - beta2);
  const shrink = r(1 - spec.lr * wd),
    wdR = r(wd),
    eps = r(spec.eps);
  const sqrtBc2 = r(Math.sqrt(spec.biasCorrection2)),
    stepSize = r(spec.lr / spec.biasCorrection1);
  const decayParam = wd > 0 && decoupled;
  const decayGrad = wd > 0 && !decoupled;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = scale === 1 ? grad[i] : r(grad[i] * s);
    if (decayGrad) g = r(g + r(p * wdR));
    const mi = r(r(m[i] * b1) + r(g * oneMinusB1));
    const vi = r(r(v[i] * b2) + r(r(g * g) * oneMinusB2));
    const denom = r(r(r(Math.sqrt(vi)) / sqrtBc2) + eps);
    const base = decayParam ? r(p * shrink) : p;
    outP[i] = r(base - r(r(mi / denom) * stepSize));
    outM[i] = mi;
    outV[i] = vi;
  }
  return { param: outP, m: outM, v: outV };
}

/**
 * The float32 update on the WebAssembly SIMD kernel (backends/wasm/adam.ts), bit-identical to `adamUpdate`: the
 * four arrays are copied into the kernel's memory (padded to whole vectors), updated in place, and copied out.
 */
export function wasmAdamUpdate(
  kernels: WasmKernels,
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  spec: AdamUpdateSpec,
  scale: number,
): { param: Float32Array; m: Float32Array; v: Float32Array } {
  const n = param.length;
  const padded = Math.ceil(n / 4) * 4;
  const mem = kernels.f32(padded * 16);
  const [pAt, gAt, mAt, vAt] = [0, padded, 2 * padded, 3 * padded];
  mem.set(param, pAt);
  mem.set(grad, gAt);
  mem.set(m, mAt);
  mem.set(v, vAt);
  const { lr, beta1, beta2, weightDecay: wd, decoupled } = spec;
  const mode = wd === 0 ? 'none' : decoupled ? 'param' : 'grad';
  kernels.exports[`adam_${mode}`](
    pAt * 4,
    gAt * 4,
    mAt * 4,
    vAt * 4,
    padded,
    scale,
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    1 - lr * wd,
    wd,
    spec.eps,
    Math.sqrt(spec.biasCorrection2),
    lr / spec.biasCorrection1,
  );
  const out = (at: number) => {
    const a = alloc('float32', n) as Float32Array;
    a.set(mem.subarray(at, at + n));
    return a;
  };
  return { param: out(pAt), m: out(mAt), v: out(vAt) };
}
