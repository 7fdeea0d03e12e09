// The fused SGD update (Backend.sgdUpdate) in plain TypeScript: one pass over the parameter instead of the two to six
// composed elementwise ops (and their temporaries) of optim/sgd.ts. Every intermediate is rounded to the dtype in
// the composed update's order (float32: Math.fround after each op, the scalars rounded as scalar tensors are), so
// both give the same bits. The float32 update normally runs as wasm (backends/wasm/sgd.ts, the same bits again):
// this scalar loop, with its rounding calls, took most of an MLP step before that.

import type { DType, SgdUpdateSpec, TypedArray } from '../backend.js';
import { alloc } from './pool.js';

const keep64 = (x: number): number => x;

/** New param (and momentum buffer, given one); `scale` multiplies the gradient first (gradient clipping). */
export function sgdUpdate(
  param: TypedArray,
  grad: TypedArray,
  buffer: TypedArray | undefined,
  spec: SgdUpdateSpec,
  scale: number | undefined,
  dtype: DType,
): { param: TypedArray; momentumBuffer?: TypedArray } {
  const r = dtype === 'float32' ? Math.fround : keep64;
  const n = param.length;
  const outP = alloc(dtype, n);
  const outBuf = buffer ? alloc(dtype, n) : undefined;
  const lr = r(spec.lr),
    momentum = r(spec.momentum),
    wd = r(spec.weightDecay);
  const s = scale === undefined ? undefined : r(scale);
  const decay = spec.weightDecay > 0;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = s === undefined ? grad[i] : r(grad[i] * s);
    if (decay) g = r(g + r(p * wd));
    if (buffer && outBuf) {
      g = r(r(buffer[i] * momentum) + g);
      outBuf[i] = g;
    }
    outP[i] = p - r(g * lr);
  }
  return outBuf ? { param: outP, momentumBuffer: outBuf } : { param: outP };
}
