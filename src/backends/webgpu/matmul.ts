// Batched matmul: a workgroup of 8x8 threads computes a 32x32 output tile, each thread a 4x4 block held in registers.
// The k dimension is walked in steps of 16: the A and B slabs are staged in workgroup memory once and each value is
// then reused by 4 threads' worth of FMAs, instead of every thread reading global memory for every product.
// Transposes are compile-time flags that only change the global index (and which way threads walk while loading,
// so neighbouring threads read neighbouring addresses). Broadcast batch dims are handled by per-operand batch strides.

import type { GPUBuffer } from './gpu-types.js';
import type { MatmulSpec } from '../backend.js';
import type { Runner } from './runner.js';
import { PARAMS, binding, collapse } from './wgsl.js';

const TILE = 32;
const TK = 16;
/** Workgroup-memory row stride: one word of padding. Loading a non-transposed slab, 16 neighbouring threads store
 *  down one column (stride TILE = 32 words), which put all 16 on one memory bank; a stride of 33 spreads them. */
const ROW = TILE + 1;

function kernel(transA: boolean, transB: boolean): string {
  // element (row gi, depth gk) of A and (depth gk, column gj) of B, relative to the batch base
  const aIndex = transA ? 'gk * m + gi' : 'gi * k + gk';
  const bIndex = transB ? 'gj * k + gk' : 'gk * n + gj';
  // loading: idx in [0, 512) picks (depth kk, row/col rr); let the contiguous coordinate vary fastest across threads
  const aSplit = transA
    ? `let kk = idx / ${TILE}u; let rr = idx % ${TILE}u;`
    : `let kk = idx % ${TK}u; let rr = idx / ${TK}u;`;
  const bSplit = transB
    ? `let kk = idx % ${TK}u; let rr = idx / ${TK}u;`
    : `let kk = idx / ${TILE}u; let rr = idx % ${TILE}u;`;
  return `${PARAMS + binding(1, 'A', 'read') + binding(2, 'B', 'read') + binding(3, 'Y', 'read_write')}
var<workgroup> As: array<f32, ${TK * ROW}>;
var<workgroup> Bs: array<f32, ${TK * ROW}>;
@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = p(0);
  let n = p(1);
  let k = p(2);
  // the linear workgroup id over the x*y grid is (batch, row tile, column tile); p(4) = column tiles, p(5) = row tiles,
  // p(6) = all workgroups. The id is uniform across the workgroup, so this return is too (no barrier is split).
  let w = wid.y * nwg.x + wid.x;
  if (w >= p(6)) { return; }
  let tileX = w % p(4);
  let tileY = (w / p(4)) % p(5);
  let bz = w / (p(4) * p(5));
  // batch offsets from the (collapsed) batch shape at p(8..) (rank p(3)) and each operand's batch strides at p(16..),
  // p(24..)
  var rem = bz;
  var aBase = 0u;
  var bBase = 0u;
  for (var d = i32(p(3)) - 1; d >= 0; d--) {
    let du = u32(d);
    let c = rem % p(8u + du);
    rem = rem / p(8u + du);
    aBase += c * p(16u + du);
    bBase += c * p(24u + du);
  }
  let row0 = tileY * ${TILE}u;
  let col0 = tileX * ${TILE}u;
  let tr = l.y * 4u;
  let tc = l.x * 4u;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k0 = 0u; k0 < k; k0 += ${TK}u) {
    for (var e = 0u; e < ${(TK * TILE) / 64}u; e++) {
      let idx = lid + e * 64u;
      {
        ${aSplit}
        let gi = row0 + rr;
        let gk = k0 + kk;
        var v = 0.0;
        if (gi < m && gk < k) { v = bitcast<f32>(A[aBase + ${aIndex}]); }
        As[kk * ${ROW}u + rr] = v;
      }
      {
        ${bSplit}
        let gj = col0 + rr;
        let gk = k0 + kk;
        var v = 0.0;
        if (gj < n && gk < k) { v = bitcast<f32>(B[bBase + ${bIndex}]); }
        Bs[kk * ${ROW}u + rr] = v;
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let o = kk * ${ROW}u;
      let b = vec4<f32>(Bs[o + tc], Bs[o + tc + 1u], Bs[o + tc + 2u], Bs[o + tc + 3u]);
      acc[0] += As[o + tr] * b;
      acc[1] += As[o + tr + 1u] * b;
      acc[2] += As[o + tr + 2u] * b;
      acc[3] += As[o + tr + 3u] * b;
    }
    workgroupBarrier();
  }
  let yBase = bz * m * n;
  for (var r = 0u; r < 4u; r++) {
    let gi = row0 + tr + r;
    if (gi >= m) { break; }
    for (var c = 0u; c < 4u; c++) {
      let gj = col0 + tc + c;
      if (gj < n) { Y[yBase + gi * n + gj] = bitcast<u32>(acc[r][c]); }
    }
  }
}
`;
}

export function matmul(rt: Runner, a: GPUBuffer, b: GPUBuffer, spec: MatmulSpec): GPUBuffer {
  const { m, n, k, transA, transB } = spec;
  const batch = spec.batchShape.reduce((x, y) => x * y, 1);
  const out = rt.output('matmul', batch * m * n * 4);
  if (batch * m * n === 0) return out;
  // k = 0 needs no special case: the tile loop does not run and the tile writes zeros
  const c = collapse('matmul', spec.batchShape, [spec.aBatchStrides, spec.bBatchStrides]);
  const params = new Uint32Array(32);
  const tilesX = Math.ceil(n / TILE);
  const tilesY = Math.ceil(m / TILE);
  // batch and row tiles are folded into one linear grid: grid z alone would cap the batch at 65535 and grid y the
  // rows at 65535 tiles (~2.1M rows)
  const groups = tilesX * tilesY * batch;
  params.set([m, n, k, c.shape.length, tilesX, tilesY, groups]);
  params.set(c.shape, 8);
  params.set(c.strides[0], 16);
  params.set(c.strides[1], 24);
  const key = `matmul:${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
  rt.dispatch(key, () => kernel(transA, transB), params, [a, b, out], groups);
  return out;
}
