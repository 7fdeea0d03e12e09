// The global L2 norm of many arrays (Backend.globalNorm, for gradient clipping). The squares are summed in float64
// whatever the dtype, so the norm is the exact one rounded once; the clip scale then follows the composed
// clipGradScale operation for operation, each rounded to the dtype.

import type { DType, TypedArray } from '../backend.js';
import { alloc } from './pool.js';

/** sqrt(sum of x^2 over all of `xs`) as a one-element array, and min(1, maxNorm / (norm + 1e-6)) when clipping. */
export function globalNorm(
  xs: readonly TypedArray[],
  maxNorm: number | undefined,
  dtype: DType,
): { norm: TypedArray; scale?: TypedArray } {
  const r = dtype === 'float32' ? Math.fround : (x: number): number => x;
  let sum = 0;
  for (const x of xs) for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  const norm = alloc(dtype, 1);
  norm[0] = Math.sqrt(sum);
  if (maxNorm === undefined) return { norm };
  const scale = alloc(dtype, 1);
  scale[0] = Math.min(r(r(1 / r(norm[0] + r(1e-6))) * r(maxNorm)), 1);
  return { norm, scale };
}
