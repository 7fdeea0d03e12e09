// gather and its adjoint scatterAdd (torch semantics along one axis).
//
// scatterAdd is deterministic by construction instead of using atomics: WGSL has no float atomics, and a CAS loop
// over f32 bits would add colliding values in whatever order threads happen to win, so the same seed could give
// different bits run to run (invariant 6). Every sum adds its sources in index-entry order, whichever path runs:
// - the segmented path, when the index values are known on the CPU (uploaded ids and views of them: the embedding
//   gradient) and every line along the axis holds the same ids: the CPU sorts the entries by id once (stable), and
//   one thread per (distinct id, line) sums its run of sources. O(N x D) work, whatever the vocabulary size.
// - otherwise each *output* element walks the index entries of its line and adds the matching sources: O(outputs x
//   axis length), cheap for the log-prob gradients (lines of length 1) but not for an embedding of a large vocabulary.
//
// Out-of-range indices cannot throw from inside a kernel, so they are recorded in the runner's status buffer and
// reported by the next read (the offending element reads as 0 / adds nothing meanwhile).

import type { GPUBuffer } from './gpu-types.js';
import type { DType, StridedView } from '../backend.js';
import { contiguousStrides } from '../backend.js';
import { STATUS_OPS, type Runner } from './runner.js';
import { MAX_RANK, PARAMS, STRIDED_OFF, binding, groupsFor, load, main1d, stridedParams, wgslType } from './wgsl.js';

const GATHER_CODE = STATUS_OPS.indexOf('gather');
const SCATTER_CODE = STATUS_OPS.indexOf('scatterAdd');

const FLAG = (slot: number): string => `
@group(0) @binding(${slot}) var<storage, read_write> S: array<atomic<u32>>;
fn flag(op: u32, v: i32, size: u32, axis: u32) {
  // the first bad index wins; later ones leave the record alone
  if (atomicExchange(&S[0], 1u) == 0u) {
    atomicStore(&S[1], op);
    atomicStore(&S[2], bitcast<u32>(v));
    atomicStore(&S[3], size);
    atomicStore(&S[4], axis);
  }
}
`;

export function gather(
  rt: Runner,
  x: GPUBuffer,
  xShape: readonly number[],
  axis: number,
  index: GPUBuffer,
  indexShape: readonly number[],
): GPUBuffer {
  const xStrides = contiguousStrides(xShape);
  // where element i of the output starts in x before the index along `axis` is added (axis stride zeroed)
  const view = { shape: indexShape, strides: xStrides.map((s, d) => (d === axis ? 0 : s)), offset: 0 };
  const { n, params } = stridedParams('gather', [view]);
  params[1] = xStrides[axis];
  params[2] = xShape[axis];
  params[3] = axis;
  const out = rt.output('gather', n * 4);
  const code = (): string =>
    PARAMS +
    STRIDED_OFF +
    binding(1, 'X', 'read') +
    binding(2, 'I', 'read') +
    binding(3, 'Y', 'read_write') +
    FLAG(4) +
    main1d(`
  if (i >= p(0)) { return; }
  let v = bitcast<i32>(I[i]);
  if (v < 0 || u32(v) >= p(2)) {
    flag(${GATHER_CODE}u, v, p(2), p(3));
    Y[i] = 0u;
    return;
  }
  Y[i] = X[strided_off(i, 0u) + u32(v) * p(1)];`);
  rt.dispatch('gather', code, params, [x, index, out, rt.status], groupsFor(n));
  return out;
}

/**
 * int32 values the CPU holds for an index storage: its element at multi-index i is values[offset + sum i_d strides_d].
 */
export interface HostIndex {
  values: Int32Array;
  view: StridedView;
}

/** The ids along `axis` when every line along it holds the same ones (other dims broadcast), else null. */
function sharedLine(host: HostIndex | undefined, shape: readonly number[], axis: number): Int32Array | null {
  if (!host) return null;
  const { shape: hs, strides, offset } = host.view;
  if (hs.length !== shape.length || hs.some((d, k) => d !== shape[k])) return null;
  if (hs.some((d, k) => k !== axis && d > 1 && strides[k] !== 0)) return null;
  return Int32Array.from({ length: shape[axis] }, (_, j) => host.values[offset + j * strides[axis]]);
}

/** Entry positions sorted by id (stable, so each run keeps entry order), then [id, start, end) per distinct id.
 *  Null when an id is out of range: the line-walking kernel then runs and reports it on the next read. */
export function segmentPlan(ids: Int32Array, size: number): { words: Uint32Array; segments: number } | null {
  if (ids.some((v) => v < 0 || v >= size)) return null;
  const order = Array.from(ids.keys()).sort((a, b) => ids[a] - ids[b] || a - b);
  const segs: number[] = [];
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || ids[order[k]] !== ids[order[k - 1]]) segs.push(ids[order[k]], k, k + 1);
    else segs[segs.length - 1] = k + 1;
  }
  const words = new Uint32Array(order.length + segs.length);
  words.set(order);
  words.set(segs, order.length);
  return { words, segments: segs.length / 3 };
}

function segmentedScatter(
  rt: Runner,
  outShape: readonly number[],
  axis: number,
  plan: { words: Uint32Array; segments: number },
  src: GPUBuffer,
  len: number,
  dtype: DType,
): GPUBuffer {
  const outer = outShape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = outShape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = outer * plan.segments * inner;
  const out = rt.zeros('scatterAdd', outShape.reduce((a, b) => a * b, 1) * 4); // ids nobody hits stay 0
  const planBuf = rt.upload('scatterAdd', plan.words);
  const T = wgslType(dtype);
  // thread i = ((o * segments) + s) * inner + c: neighbouring threads read neighbouring source columns
  const code = (): string =>
    PARAMS +
    binding(1, 'PL', 'read') +
    binding(2, 'X', 'read') +
    binding(3, 'Y', 'read_write') +
    main1d(`
  if (i >= p(0)) { return; }
  let inner = p(1);
  let c = i % inner;
  let s = (i / inner) % p(2);
  let o = i / (inner * p(2));
  let seg = p(5) + 3u * s;
  var acc = ${T}(0);
  for (var k = PL[seg + 1u]; k < PL[seg + 2u]; k++) { acc = acc + ${load(dtype, 'X[(o * p(3) + PL[k]) * inner + c]')}; }
  Y[(o * p(4) + PL[seg]) * inner + c] = bitcast<u32>(acc);`);
  rt.dispatch(
    `scatterAddSegments:${dtype}`,
    code,
    [n, inner, plan.segments, len, outShape[axis], len],
    [planBuf, src, out],
    groupsFor(n),
  );
  rt.release(planBuf);
  return out;
}

export function scatterAdd(
  rt: Runner,
  outShape: readonly number[],
  axis: number,
  index: GPUBuffer,
  host: HostIndex | undefined,
  src: GPUBuffer,
  srcShape: readonly number[],
  dtype: DType,
): GPUBuffer {
  const sameLines = srcShape.every((d, k) => k === axis || d === outShape[k]);
  const ids = sameLines ? sharedLine(host, srcShape, axis) : null;
  const plan = ids && segmentPlan(ids, outShape[axis]);
  if (plan) return segmentedScatter(rt, outShape, axis, plan, src, srcShape[axis], dtype);
  const rank = outShape.length;
  if (rank > MAX_RANK) throw new Error(`scatterAdd: the WebGPU backend handles rank <= ${MAX_RANK}, got [${outShape}]`);
  const n = outShape.reduce((a, b) => a * b, 1);
  const params = new Uint32Array(32);
  params.set([n, rank, axis, srcShape[axis], outShape[axis]]);
  params.set(outShape, 8);
  params.set(srcShape, 16);
  params.set(contiguousStrides(srcShape), 24);
  const out = rt.output('scatterAdd', n * 4);
  const T = wgslType(dtype);
  const code = (): string =>
    PARAMS +
    binding(1, 'I', 'read') +
    binding(2, 'X', 'read') +
    binding(3, 'Y', 'read_write') +
    FLAG(4) +
    main1d(`
  if (i >= p(0)) { return; }
  // split the output index into its coordinate v along the axis and the start of its line through index/src
  let axis = p(2);
  var rem = i;
  var base = 0u;
  var v = 0u;
  var inside = true;
  for (var d = i32(p(1)) - 1; d >= 0; d--) {
    let du = u32(d);
    let c = rem % p(8u + du);
    rem = rem / p(8u + du);
    if (du == axis) { v = c; } else {
      inside = inside && c < p(16u + du);
      base += c * p(24u + du);
    }
  }
  var acc = ${T}(0);
  if (inside) {
    let step = p(24u + axis);
    for (var j = 0u; j < p(3); j++) {
      let o = base + j * step;
      if (I[o] == v) { acc = acc + ${load(dtype, 'X[o]')}; }
      // every index entry lies on exactly one line, and each line has one v = 0 thread: it checks the range
      let iv = bitcast<i32>(I[o]);
      if (v == 0u && (iv < 0 || u32(iv) >= p(4))) { flag(${SCATTER_CODE}u, iv, p(4), axis); }
    }
  }
  Y[i] = bitcast<u32>(acc);`);
  rt.dispatch(`scatterAdd:${dtype}`, code, params, [index, src, out, rt.status], groupsFor(n));
  return out;
}
