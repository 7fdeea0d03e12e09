// gather and its adjoint scatterAdd (torch semantics along one axis).
//
// scatterAdd is deterministic by construction instead of using atomics: WGSL has no float atomics, and a CAS loop
// over f32 bits would add colliding values in whatever order threads happen to win, so the same seed could give
// different bits run to run (invariant 6). Here each *output* element owns its sum: it walks the index entries that
// could hit it (its own line along the axis) in order and adds the matching sources. That is O(outputs x axis length)
// work, cheap for what slimegrad scatters (embedding and log-prob gradients of small models); a sort-by-index
// segmented sum would be the way to scale to large vocabularies.
//
// Out-of-range indices cannot throw from inside a kernel, so they are recorded in the runner's status buffer and
// reported by the next read (the offending element reads as 0 / adds nothing meanwhile).

import type { GPUBuffer } from './gpu-types.js';
import type { DType } from '../backend.js';
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
  rt: Runner, x: GPUBuffer, xShape: readonly number[], axis: number, index: GPUBuffer, indexShape: readonly number[],
): GPUBuffer {
  const xStrides = contiguousStrides(xShape);
  // where element i of the output starts in x before the index along `axis` is added (axis stride zeroed)
  const view = { shape: indexShape, strides: xStrides.map((s, d) => (d === axis ? 0 : s)), offset: 0 };
  const { n, params } = stridedParams('gather', [view]);
  params[1] = xStrides[axis];
  params[2] = xShape[axis];
  params[3] = axis;
  const out = rt.output('gather', n * 4);
  const code = (): string => PARAMS + STRIDED_OFF + binding(1, 'X', 'read') + binding(2, 'I', 'read')
    + binding(3, 'Y', 'read_write') + FLAG(4) + main1d(`
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

export function scatterAdd(
  rt: Runner, outShape: readonly number[], axis: number, index: GPUBuffer, src: GPUBuffer, srcShape: readonly number[], dtype: DType,
): GPUBuffer {
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
  const code = (): string => PARAMS + binding(1, 'I', 'read') + binding(2, 'X', 'read') + binding(3, 'Y', 'read_write') + FLAG(4) + main1d(`
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
