// Batched matmul on the CPU, GotoBLAS-style: for each k-block, B is packed into NR-wide column panels and A
// into MR-tall row panels (absorbing any transpose), then a 4x4 register-tiled micro-kernel sweeps the panels
// and adds its tile straight into the output. Sums within a k-block are in double precision.
// Why 4x4: V8 gives us 15 usable XMM registers and hoists a whole iteration's loads to its top, so bigger
// tiles spill accumulators; measured on this machine 4x4 beat 2x4, 3x4, 4x8, 6x8 and k-unrolled variants.

import type { MatmulSpec, TypedArray } from '../backend.js';
import { sizeOf } from './strided.js';

export const MR = 4;
export const NR = 4;
const KC = 256; // one B micro-panel (KC x NR doubles = 8 KB) stays in L1 while A panels stream from L2
const MC = 64; // one packed A block (MC x KC doubles = 128 KB) stays in L2

/** Grow-only scratch, so a training step does not allocate packing buffers on every call. */
export class PackBuffers {
  a = new Float64Array(MC * KC);
  b = new Float64Array(0);
  tile = new Float64Array(MR * NR);
  forB(size: number): Float64Array {
    if (this.b.length < size) this.b = new Float64Array(size);
    return this.b;
  }
}

/** Element offsets of each batch entry, walking the broadcast batch shape like an odometer. */
export function batchOffsets(batchShape: readonly number[], strides: readonly number[]): Int32Array {
  const count = sizeOf(batchShape);
  const offs = new Int32Array(count);
  const rank = batchShape.length;
  const counter = new Int32Array(rank);
  let off = 0;
  for (let i = 0; i < count; i++) {
    offs[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      off += strides[d];
      if (counter[d] < batchShape[d]) break;
      off -= strides[d] * batchShape[d];
      counter[d] = 0;
    }
  }
  return offs;
}

/**
 * Packs rows [i0, i0+mc) x k-range [p0, p0+kc) of logical A (m x k) into MR-row panels, k-major inside a panel:
 * panel q holds dst[q*kc*MR + p*MR + r] = A[i0 + q*MR + r, p0 + p]. Rows past m are zero.
 */
function packA(
  a: TypedArray,
  base: number,
  m: number,
  k: number,
  transA: boolean,
  i0: number,
  mc: number,
  p0: number,
  kc: number,
  dst: Float64Array,
): void {
  // strides of logical A: moving down a row / along k
  const rs = transA ? 1 : k;
  const ks = transA ? m : 1;
  let w = 0;
  for (let q = 0; q < mc; q += MR) {
    const rows = Math.min(MR, m - i0 - q);
    const start = base + (i0 + q) * rs + p0 * ks;
    if (rows === MR) {
      let s0 = start,
        s1 = start + rs,
        s2 = start + 2 * rs,
        s3 = start + 3 * rs;
      for (let p = 0; p < kc; p++) {
        dst[w] = a[s0];
        dst[w + 1] = a[s1];
        dst[w + 2] = a[s2];
        dst[w + 3] = a[s3];
        w += 4;
        s0 += ks;
        s1 += ks;
        s2 += ks;
        s3 += ks;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) dst[w + r] = r < rows ? a[start + r * rs + p * ks] : 0;
        w += 4;
      }
    }
  }
}

/**
 * Packs columns [jStart, jEnd) x k-range [p0, p0+kc) of logical B (k x n) into NR-column panels:
 * dst[jp*kc*NR + p*NR + c].
 */
function packB(
  b: TypedArray,
  base: number,
  n: number,
  k: number,
  transB: boolean,
  jStart: number,
  jEnd: number,
  p0: number,
  kc: number,
  dst: Float64Array,
): void {
  const cs = transB ? k : 1; // moving along a row of logical B (next column)
  const ks = transB ? 1 : n; // moving down logical B (next k)
  let w = 0;
  for (let j0 = jStart; j0 < jEnd; j0 += NR) {
    const cols = Math.min(NR, jEnd - j0);
    const start = base + j0 * cs + p0 * ks;
    if (cols === NR) {
      let s0 = start,
        s1 = start + cs,
        s2 = start + 2 * cs,
        s3 = start + 3 * cs;
      for (let p = 0; p < kc; p++) {
        dst[w] = b[s0];
        dst[w + 1] = b[s1];
        dst[w + 2] = b[s2];
        dst[w + 3] = b[s3];
        w += 4;
        s0 += ks;
        s1 += ks;
        s2 += ks;
        s3 += ks;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) dst[w + c] = c < cols ? b[start + c * cs + p * ks] : 0;
        w += 4;
      }
    }
  }
}

/**
 * out[rows [iStart, iEnd), columns [jStart, jEnd)] += A @ B for one batch entry. The thread pool splits jobs on
 * rows or on columns; a single-threaded call passes the whole ranges.
 */
export function matmulBlock(
  a: TypedArray,
  aBase: number,
  b: TypedArray,
  bBase: number,
  out: TypedArray,
  oBase: number,
  spec: MatmulSpec,
  iStart: number,
  iEnd: number,
  jStart: number,
  jEnd: number,
  bufs: PackBuffers,
): void {
  const { m, n, k, transA, transB } = spec;
  const nPanels = Math.ceil((jEnd - jStart) / NR);
  // equal k-blocks (784 = 4 x 196, not 3 x 256 + 16), so no block is a short, overhead-bound sliver
  const kBlock = Math.ceil(k / Math.ceil(k / KC));
  for (let p0 = 0; p0 < k; p0 += kBlock) {
    const kc = Math.min(kBlock, k - p0);
    const bp = bufs.forB(nPanels * kc * NR);
    packB(b, bBase, n, k, transB, jStart, jEnd, p0, kc, bp);
    for (let i0 = iStart; i0 < iEnd; i0 += MC) {
      const mc = Math.min(MC, iEnd - i0);
      packA(a, aBase, m, k, transA, i0, mc, p0, kc, bufs.a);
      for (let jp = 0; jp < nPanels; jp++) {
        const j0 = jStart + jp * NR;
        const nr = Math.min(NR, jEnd - j0);
        for (let q = 0; q < mc; q += MR) {
          const mr = Math.min(MR, iEnd - i0 - q);
          const oo = oBase + (i0 + q) * n + j0;
          if (mr === MR && nr === NR) {
            kernel4x4(bufs.a, q * kc, bp, jp * kc * NR, kc, out, oo, n);
          } else {
            const t = bufs.tile;
            t.fill(0);
            kernel4x4(bufs.a, q * kc, bp, jp * kc * NR, kc, t, 0, NR);
            for (let r = 0; r < mr; r++) for (let c = 0; c < nr; c++) out[oo + r * n + c] += t[r * NR + c];
          }
        }
      }
    }
  }
}

/** out[oo + r*ldo + c] += sum_p ap[ao + p*4 + r] * bp[bo + p*4 + c] for the 4x4 tile, sums kept in locals. */
function kernel4x4(
  ap: Float64Array,
  ao: number,
  bp: Float64Array,
  bo: number,
  kc: number,
  out: TypedArray,
  oo: number,
  ldo: number,
): void {
  // -0 (a heap number) makes V8 keep the accumulators as unboxed doubles from the start
  let c00 = -0,
    c01 = -0,
    c02 = -0,
    c03 = -0;
  let c10 = -0,
    c11 = -0,
    c12 = -0,
    c13 = -0;
  let c20 = -0,
    c21 = -0,
    c22 = -0,
    c23 = -0;
  let c30 = -0,
    c31 = -0,
    c32 = -0,
    c33 = -0;
  const aEnd = ao + kc * 4;
  while (ao < aEnd) {
    const a0 = ap[ao],
      a1 = ap[(ao + 1) | 0],
      a2 = ap[(ao + 2) | 0],
      a3 = ap[(ao + 3) | 0];
    let x = bp[bo];
    c00 += a0 * x;
    c10 += a1 * x;
    c20 += a2 * x;
    c30 += a3 * x;
    x = bp[(bo + 1) | 0];
    c01 += a0 * x;
    c11 += a1 * x;
    c21 += a2 * x;
    c31 += a3 * x;
    x = bp[(bo + 2) | 0];
    c02 += a0 * x;
    c12 += a1 * x;
    c22 += a2 * x;
    c32 += a3 * x;
    x = bp[(bo + 3) | 0];
    c03 += a0 * x;
    c13 += a1 * x;
    c23 += a2 * x;
    c33 += a3 * x;
    ao = (ao + 4) | 0;
    bo = (bo + 4) | 0;
  }
  let o = oo;
  out[o] += c00;
  out[o + 1] += c01;
  out[o + 2] += c02;
  out[o + 3] += c03;
  o += ldo;
  out[o] += c10;
  out[o + 1] += c11;
  out[o + 2] += c12;
  out[o + 3] += c13;
  o += ldo;
  out[o] += c20;
  out[o + 1] += c21;
  out[o + 2] += c22;
  out[o + 3] += c23;
  o += ldo;
  out[o] += c30;
  out[o + 1] += c31;
  out[o + 2] += c32;
  out[o + 3] += c33;
}

/**
 * Runs part [lo, hi) of the job described in `data`: rows of the flattened batch x m output, or (h[15] = 1, a
 * single batch entry) columns, whichever split re-packs the smaller operand per chunk. Self-contained: shipped to
 * worker threads.
 */
export function runShare(data: SharedArrayBuffer, lo: number, hi: number, bufs: PackBuffers): void {
  const h = new Int32Array(data, 0, 16);
  const view = (pos: number, len: number): Float32Array | Float64Array =>
    h[0] === 1 ? new Float64Array(data, pos, len) : new Float32Array(data, pos, len);
  const batches = h[1],
    m = h[2],
    n = h[3],
    k = h[4];
  const spec = {
    batchShape: [],
    aBatchStrides: [],
    bBatchStrides: [],
    m,
    n,
    k,
    transA: h[5] === 1,
    transB: h[6] === 1,
  };
  const aOffs = new Int32Array(data, h[7], batches);
  const bOffs = new Int32Array(data, h[8], batches);
  const a = view(h[9], h[12]);
  const b = view(h[10], h[13]);
  const out = view(h[11], h[14]);
  if (h[15] === 1) {
    matmulBlock(a, aOffs[0], b, bOffs[0], out, 0, spec, 0, m, lo, hi, bufs);
    return;
  }
  let r = lo;
  while (r < hi) {
    const batch = Math.floor(r / m);
    const i0 = r - batch * m;
    const i1 = Math.min(m, i0 + hi - r);
    matmulBlock(a, aOffs[batch], b, bOffs[batch], out, batch * m * n, spec, i0, i1, 0, n, bufs);
    r += i1 - i0;
  }
}

/** What a worker thread needs to run matmulBlock: self-contained functions (no imports), shipped as source. */
export const KERNEL_PARTS = {
  constants: { MR, NR, KC, MC },
  code: [PackBuffers, packA, packB, kernel4x4, matmulBlock, runShare],
};

const shared = new PackBuffers();

/** out (zeroed, batch x m x n) += op(A) @ op(B) for every batch entry, on this thread. */
export function matmulInto(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
  const aOffs = batchOffsets(spec.batchShape, spec.aBatchStrides);
  const bOffs = batchOffsets(spec.batchShape, spec.bBatchStrides);
  const mn = spec.m * spec.n;
  for (let batch = 0; batch < aOffs.length; batch++) {
    matmulBlock(a, aOffs[batch], b, bOffs[batch], out, batch * mn, spec, 0, spec.m, 0, spec.n, shared);
  }
}
