// Batched matmul on the CPU: operands are packed into panels (absorbing any transpose), then a 4x4
// register-tiled micro-kernel runs over cache-sized blocks of k. Accumulation is in double precision.

import type { DType, MatmulSpec, TypedArray } from '../backend.js';
import { typedArrayFor } from '../backend.js';
import { sizeOf } from './strided.js';

const MR = 4;
const NR = 4;
const KC = 256; // a k-block of an A panel and a B panel stays in L1/L2

/** Pack rows [i0, i0+MR) of A (m x k, logical) as k-major quads: panel[p*MR + r] = A[i0+r, p]. Zero-pads the edge. */
function packA(a: TypedArray, base: number, m: number, k: number, transA: boolean, i0: number, p0: number, kc: number, panel: Float64Array): void {
  for (let p = 0; p < kc; p++) {
    for (let r = 0; r < MR; r++) {
      const i = i0 + r;
      panel[p * MR + r] = i < m ? (transA ? a[base + (p0 + p) * m + i] : a[base + i * k + p0 + p]) : 0;
    }
  }
}

/** Pack columns [j0, j0+NR) of B (k x n, logical) the same way: panel[p*NR + c] = B[p, j0+c]. */
function packB(b: TypedArray, base: number, n: number, k: number, transB: boolean, j0: number, p0: number, kc: number, panel: Float64Array): void {
  for (let p = 0; p < kc; p++) {
    for (let c = 0; c < NR; c++) {
      const j = j0 + c;
      panel[p * NR + c] = j < n ? (transB ? b[base + j * k + p0 + p] : b[base + (p0 + p) * n + j]) : 0;
    }
  }
}

function batchOffsets(batchShape: readonly number[], strides: readonly number[]): number[] {
  const count = sizeOf(batchShape);
  const offs: number[] = new Array(count);
  const counter = new Array<number>(batchShape.length).fill(0);
  let off = 0;
  for (let i = 0; i < count; i++) {
    offs[i] = off;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      counter[d]++;
      off += strides[d];
      if (counter[d] < batchShape[d]) break;
      off -= strides[d] * batchShape[d];
      counter[d] = 0;
    }
  }
  return offs;
}

export function matmul(a: TypedArray, b: TypedArray, spec: MatmulSpec, dtype: DType): TypedArray {
  const { m, n, k, transA, transB } = spec;
  const aOffs = batchOffsets(spec.batchShape, spec.aBatchStrides);
  const bOffs = batchOffsets(spec.batchShape, spec.bBatchStrides);
  const out = typedArrayFor(dtype, aOffs.length * m * n);
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / NR);
  const kcMax = Math.min(KC, Math.max(k, 1));
  const aPanels = new Float64Array(mPanels * kcMax * MR);
  const bPanels = new Float64Array(nPanels * kcMax * NR);
  const acc = new Float64Array(m * n);
  for (let batch = 0; batch < aOffs.length; batch++) {
    acc.fill(0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      for (let ip = 0; ip < mPanels; ip++) {
        packA(a, aOffs[batch], m, k, transA, ip * MR, p0, kc, aPanels.subarray(ip * kcMax * MR));
      }
      for (let jp = 0; jp < nPanels; jp++) {
        packB(b, bOffs[batch], n, k, transB, jp * NR, p0, kc, bPanels.subarray(jp * kcMax * NR));
      }
      for (let jp = 0; jp < nPanels; jp++) {
        for (let ip = 0; ip < mPanels; ip++) {
          microKernel(aPanels, ip * kcMax * MR, bPanels, jp * kcMax * NR, kc, acc, ip * MR, jp * NR, m, n);
        }
      }
    }
    out.set(acc, batch * m * n);
  }
  return out;
}

/** acc[i0.., j0..] += Apanel(4 x kc) * Bpanel(kc x 4), the 16 sums held in locals. */
function microKernel(
  ap: Float64Array, ao: number, bp: Float64Array, bo: number, kc: number,
  acc: Float64Array, i0: number, j0: number, m: number, n: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[ao], a1 = ap[ao + 1], a2 = ap[ao + 2], a3 = ap[ao + 3];
    const b0 = bp[bo], b1 = bp[bo + 1], b2 = bp[bo + 2], b3 = bp[bo + 3];
    ao += 4;
    bo += 4;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  const rows = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  const mr = Math.min(MR, m - i0);
  const nr = Math.min(NR, n - j0);
  for (let r = 0; r < mr; r++) {
    const row = (i0 + r) * n + j0;
    for (let c = 0; c < nr; c++) acc[row + c] += rows[r * 4 + c];
  }
}
