// LayerNorm's affine part (Backend.affine and affineBackward): y = x w + b with w and b broadcast over the rows in
// one kernel instead of a multiply and an add, and both parameter gradients, the column sums of g x and of g, in
// one kernel instead of a multiply and two reductions. One thread per column walks its rows in order, so
// neighbouring threads read neighbouring addresses and the sums are the same run to run.

import type { GPUBuffer } from './gpu-types.js';
import type { Runner } from './runner.js';
import { PARAMS, binding, groupsFor, main1d } from './wgsl.js';

/** p(0) = rows * d, p(1) = d. */
const AFFINE =
  PARAMS +
  binding(1, 'X', 'read') +
  binding(2, 'W', 'read') +
  binding(3, 'B', 'read') +
  binding(4, 'Y', 'read_write') +
  main1d(`
  if (i >= p(0)) { return; }
  let j = i % p(1);
  // two roundings, as the composed mul then add has (no fused multiply-add)
  let scaled = bitcast<f32>(X[i]) * bitcast<f32>(W[j]);
  Y[i] = bitcast<u32>(scaled + bitcast<f32>(B[j]));`);

/** p(0) = rows, p(1) = d. */
const AFFINE_BACKWARD =
  PARAMS +
  binding(1, 'X', 'read') +
  binding(2, 'G', 'read') +
  binding(3, 'DW', 'read_write') +
  binding(4, 'DB', 'read_write') +
  main1d(`
  let d = p(1);
  if (i >= d) { return; }
  var dw = 0.0;
  var db = 0.0;
  for (var r = 0u; r < p(0); r++) {
    let g = bitcast<f32>(G[r * d + i]);
    dw += g * bitcast<f32>(X[r * d + i]);
    db += g;
  }
  DW[i] = bitcast<u32>(dw);
  DB[i] = bitcast<u32>(db);`);

export function affine(rt: Runner, x: GPUBuffer, w: GPUBuffer, b: GPUBuffer, rows: number, d: number): GPUBuffer {
  const out = rt.output('affine', rows * d * 4);
  rt.dispatch('affine', () => AFFINE, [rows * d, d], [x, w, b, out], groupsFor(rows * d));
  return out;
}

export function affineBackward(
  rt: Runner,
  x: GPUBuffer,
  g: GPUBuffer,
  rows: number,
  d: number,
): { dw: GPUBuffer; db: GPUBuffer } {
  const dw = rt.output('affineBackward', d * 4);
  const db = rt.output('affineBackward', d * 4);
  rt.dispatch('affineBackward', () => AFFINE_BACKWARD, [rows, d], [x, g, dw, db], groupsFor(d));
  return { dw, db };
}
