// The optional fused kernels of the Backend interface: softmax, logSoftmax, layer normalisation (each with its
// backward) over the last axis of a [rows, d] tensor, and tanh-GELU with its derivative. Composed, each is 5-20
// dispatches and as many temporaries; fused, one. On a GPU every dispatch costs a fixed overhead (and under a
// software driver it dominates a small model's step), so these are the cheapest big win.
//
// Row kernels use one 64-thread workgroup per row: each thread folds a strided share of the row, then a tree in
// workgroup memory combines the shares, in a fixed order, so results are bit-identical run to run.

import { GELU_A, GELU_C } from '../backend.js';
import type { GPUBuffer } from './gpu-types.js';
import type { Runner } from './runner.js';
import { helpers } from './elementwise.js';
import { PARAMS, SPECIAL, WORKGROUP, binding, groupsFor, main1d } from './wgsl.js';

/** Row reductions over the workgroup. Called from uniform control flow (every thread of the row's workgroup). */
export const ROW = `
var<workgroup> red: array<f32, ${WORKGROUP}>;
fn row_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // everyone has read red[0] before the next reduction overwrites it
  return r;
}
fn nan_max(a: f32, b: f32) -> f32 {
  // NaN wins, as in the CPU's max reduction
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return max(a, b);
}
fn row_max(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = nan_max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

/** A row kernel: p(0) = rows, p(1) = d; `row`, `base` (row * d) and `d` are in scope of `body`. */
function rowKernel(bindings: string, body: string, extra = ''): string {
  return `${PARAMS + SPECIAL + extra + ROW + bindings}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= p(0)) { return; }
  let d = p(1);
  let base = row * d;
${body}
}
`;
}

const IO = binding(1, 'X', 'read') + binding(2, 'Y', 'read_write');
const x = (j: string): string => `bitcast<f32>(X[base + ${j}])`;

/** exp(x - shift) summed per row, where shift is the row max (0 when that is infinite, so all -inf rows and +inf
 *  entries behave as in the composition). */
const SHIFTED_SUM = `
  var m = -inf();
  for (var j = lid; j < d; j += ${WORKGROUP}u) { m = nan_max(m, ${x('j')}); }
  m = row_max(m, lid);
  let shift = select(m, 0.0, abs(m) == inf());
  var s = 0.0;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { s += exp(${x('j')} - shift); }
  s = row_sum(s, lid);`;

const SOFTMAX = rowKernel(
  IO,
  `${SHIFTED_SUM}
  let inv = 1.0 / s;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { Y[base + j] = bitcast<u32>(exp(${x('j')} - shift) * inv); }`,
);

const LOG_SOFTMAX = rowKernel(
  IO,
  `${SHIFTED_SUM}
  let lse = log_(s) + shift;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { Y[base + j] = bitcast<u32>(${x('j')} - lse); }`,
  helpers('log_('),
);

/** Backward kernels read y (the forward's output) as X and the incoming gradient as G. */
const BACKWARD_IO = binding(1, 'X', 'read') + binding(2, 'G', 'read') + binding(3, 'Y', 'read_write');
const g = (j: string): string => `bitcast<f32>(G[base + ${j}])`;

const SOFTMAX_BACKWARD = rowKernel(
  BACKWARD_IO,
  `
  var dot = 0.0;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { dot += ${g('j')} * ${x('j')}; }
  dot = row_sum(dot, lid);
  for (var j = lid; j < d; j += ${WORKGROUP}u) { Y[base + j] = bitcast<u32>(${x('j')} * (${g('j')} - dot)); }`,
);

const LOG_SOFTMAX_BACKWARD = rowKernel(
  BACKWARD_IO,
  `
  var s = 0.0;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { s += ${g('j')}; }
  s = row_sum(s, lid);
  for (var j = lid; j < d; j += ${WORKGROUP}u) { Y[base + j] = bitcast<u32>(${g('j')} - exp(${x('j')}) * s); }`,
);

/** Two passes (mean, then the centred sum of squares) rather than E[x^2] - E[x]^2, which cancels badly in float32. */
const LAYER_NORM = rowKernel(
  IO + binding(3, 'R', 'read_write'),
  `
  let n = f32(d);
  var s = 0.0;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { s += ${x('j')}; }
  let mean = row_sum(s, lid) / n;
  var v = 0.0;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { let c = ${x('j')} - mean; v += c * c; }
  let k = 1.0 / sqrt(row_sum(v, lid) / n + bitcast<f32>(p(2)));
  if (lid == 0u) { R[row] = bitcast<u32>(k); }
  for (var j = lid; j < d; j += ${WORKGROUP}u) { Y[base + j] = bitcast<u32>((${x('j')} - mean) * k); }`,
);

/** X = xhat, R = rstd per row, G = incoming gradient. */
const LAYER_NORM_BACKWARD = rowKernel(
  binding(1, 'X', 'read') + binding(2, 'R', 'read') + binding(3, 'G', 'read') + binding(4, 'Y', 'read_write'),
  `
  let n = f32(d);
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = lid; j < d; j += ${WORKGROUP}u) { sg += ${g('j')}; sgx += ${g('j')} * ${x('j')}; }
  let mg = row_sum(sg, lid) / n;
  let mgx = row_sum(sgx, lid) / n;
  let k = bitcast<f32>(R[row]);
  for (var j = lid; j < d; j += ${WORKGROUP}u) { Y[base + j] = bitcast<u32>(k * (${g('j')} - mg - ${x('j')} * mgx)); }`,
);

const GELU_T = `let v = bitcast<f32>(X[i]);
  let t = tanh_(${GELU_C} * (v + ${GELU_A} * v * v * v));`;

const GELU =
  PARAMS +
  SPECIAL +
  helpers('tanh_(') +
  IO +
  main1d(`
  if (i >= p(0)) { return; }
  ${GELU_T}
  Y[i] = bitcast<u32>(0.5 * v * (1.0 + t));`);

const GELU_BACKWARD =
  PARAMS +
  SPECIAL +
  helpers('tanh_(') +
  BACKWARD_IO +
  main1d(`
  if (i >= p(0)) { return; }
  ${GELU_T}
  let slope = 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * ${GELU_C} * (1.0 + ${3 * GELU_A} * v * v);
  Y[i] = bitcast<u32>(bitcast<f32>(G[i]) * slope);`);

const ROW_KERNELS = {
  softmax: SOFTMAX,
  logSoftmax: LOG_SOFTMAX,
  softmaxBackward: SOFTMAX_BACKWARD,
  logSoftmaxBackward: LOG_SOFTMAX_BACKWARD,
};

/** softmax / logSoftmax (inputs [x]) and their backwards (inputs [y, g]) over rows of length d. */
export function rowOp(
  rt: Runner,
  op: keyof typeof ROW_KERNELS,
  inputs: readonly GPUBuffer[],
  rows: number,
  d: number,
): GPUBuffer {
  const out = rt.output(op, rows * d * 4);
  rt.dispatch(`fused:${op}`, () => ROW_KERNELS[op], [rows, d], [...inputs, out], rows);
  return out;
}

export function layerNorm(
  rt: Runner,
  xb: GPUBuffer,
  rows: number,
  d: number,
  eps: number,
): { y: GPUBuffer; rstd: GPUBuffer } {
  const y = rt.output('layerNorm', rows * d * 4);
  const rstd = rt.output('layerNorm', rows * 4);
  rt.dispatch(
    'fused:layerNorm',
    () => LAYER_NORM,
    [rows, d, new Uint32Array(new Float32Array([eps]).buffer)[0]],
    [xb, y, rstd],
    rows,
  );
  return { y, rstd };
}

export function layerNormBackward(
  rt: Runner,
  xhat: GPUBuffer,
  rstd: GPUBuffer,
  gb: GPUBuffer,
  rows: number,
  d: number,
): GPUBuffer {
  const out = rt.output('layerNorm', rows * d * 4);
  rt.dispatch('fused:layerNormBackward', () => LAYER_NORM_BACKWARD, [rows, d], [xhat, rstd, gb, out], rows);
  return out;
}

export function gelu(rt: Runner, xb: GPUBuffer, n: number): GPUBuffer {
  const out = rt.output('gelu', n * 4);
  rt.dispatch('fused:gelu', () => GELU, [n], [xb, out], groupsFor(n));
  return out;
}

export function geluBackward(rt: Runner, xb: GPUBuffer, gb: GPUBuffer, n: number): GPUBuffer {
  const out = rt.output('gelu', n * 4);
  rt.dispatch('fused:geluBackward', () => GELU_BACKWARD, [n], [xb, gb, out], groupsFor(n));
  return out;
}
