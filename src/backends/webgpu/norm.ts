// The global L2 norm of many buffers (Backend.globalNorm, for gradient clipping) in a handful of dispatches instead
// of a multiply, a reduction or two and an add per gradient. Pass 1 binds up to INPUTS buffers at a time (WebGPU
// guarantees 8 storage bindings per stage: 7 inputs and the partials) and has each of G workgroups fold a strided
// share of every buffer's squares into one partial sum. Pass 2, one workgroup, adds the partials in a fixed order,
// takes the square root and computes clipping's min(1, maxNorm / (norm + 1e-6)) with the same float32 operations as
// the composed clipGradScale, so the clip scale never leaves the GPU.

import type { GPUBuffer } from './gpu-types.js';
import type { Runner } from './runner.js';
import { PARAMS, WORKGROUP, binding } from './wgsl.js';

/** Inputs bound per pass-1 dispatch. A chunk with fewer binds its first buffer again with length 0. */
const INPUTS = 7;
/** Workgroups per pass-1 dispatch: at most this many, and no more than one per WORKGROUP * 8 elements. */
const MAX_GROUPS = 128;

const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

const TREE = `
  sv[lid] = acc;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sv[lid] = sv[lid] + sv[lid + s]; }
    workgroupBarrier();
  }`;

/** p(0) = where this chunk's partials start, p(1..INPUTS) = the inputs' lengths. Workgroup w writes partial w. */
function squaresKernel(): string {
  const inputs = Array.from({ length: INPUTS }, (_, j) => binding(j + 2, `X${j}`, 'read')).join('');
  const folds = Array.from(
    { length: INPUTS },
    (_, j) => `
  for (var i = start; i < p(${j + 1}u); i += stride) { let x = bitcast<f32>(X${j}[i]); acc = acc + x * x; }`,
  ).join('');
  return `${PARAMS + binding(1, 'Part', 'read_write') + inputs}
var<workgroup> sv: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let start = wid.x * ${WORKGROUP}u + lid;
  let stride = nwg.x * ${WORKGROUP}u;
  var acc = 0.0;${folds}
${TREE}
  if (lid == 0u) { Part[p(0) + wid.x] = bitcast<u32>(sv[0]); }
}
`;
}

/** p(0) = partials, p(1) = maxNorm as float32 bits, p(2) = 1e-6 as float32 bits. */
function finishKernel(): string {
  return `${PARAMS + binding(1, 'Part', 'read') + binding(2, 'Norm', 'read_write') + binding(3, 'Scale', 'read_write')}
var<workgroup> sv: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < p(0); i += ${WORKGROUP}u) { acc = acc + bitcast<f32>(Part[i]); }
${TREE}
  if (lid == 0u) {
    let norm = sqrt(sv[0]);
    Norm[0] = bitcast<u32>(norm);
    // the composed clipGradScale's order: (norm + 1e-6), its reciprocal, times maxNorm, at most 1
    let r = 1.0 / (norm + bitcast<f32>(p(2)));
    Scale[0] = bitcast<u32>(min(r * bitcast<f32>(p(1)), 1.0));
  }
}
`;
}

/** sqrt(sum of x^2 over every element of every buffer), and the clip scale for `maxNorm` (1 when not clipping). */
export function globalNorm(
  rt: Runner,
  xs: readonly { buffer: GPUBuffer; size: number }[],
  maxNorm: number,
): { norm: GPUBuffer; scale: GPUBuffer } {
  const chunks: (typeof xs)[] = [];
  for (let c = 0; c < xs.length; c += INPUTS) chunks.push(xs.slice(c, c + INPUTS));
  const largest = Math.max(1, ...chunks.map((c) => c.reduce((n, x) => Math.max(n, x.size), 0)));
  const groups = Math.min(MAX_GROUPS, Math.ceil(largest / (WORKGROUP * 8)));
  const partials = rt.output('globalNorm', Math.max(1, chunks.length * groups) * 4);
  chunks.forEach((chunk, c) => {
    const params = new Uint32Array(1 + INPUTS);
    params[0] = c * groups;
    chunk.forEach((x, j) => (params[j + 1] = x.size));
    const buffers = Array.from({ length: INPUTS }, (_, j) => (chunk[j] ?? chunk[0]).buffer);
    rt.dispatch('globalNorm:squares', squaresKernel, params, [partials, ...buffers], groups);
  });
  const norm = rt.output('globalNorm', 4);
  const scale = rt.output('globalNorm', 4);
  const params = [chunks.length * groups, f32Bits(maxNorm), f32Bits(1e-6)];
  rt.dispatch('globalNorm:finish', finishKernel, params, [partials, norm, scale], 1);
  rt.release(partials);
  return { norm, scale };
}
