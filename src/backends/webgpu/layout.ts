// Data movement: materialising strided views (permute, slice, broadcast) and concatenation. Both move raw 32-bit words,
// so they are dtype-agnostic and bit-exact.

import type { GPUBuffer } from './gpu-types.js';
import type { StridedView } from '../backend.js';
import type { Runner } from './runner.js';
import { PARAMS, STRIDED_OFF, binding, groupsFor, main1d, stridedParams } from './wgsl.js';

export function copyStrided(rt: Runner, x: GPUBuffer, view: StridedView): GPUBuffer {
  const { n, params } = stridedParams('copyStrided', [view]);
  const out = rt.output('copyStrided', n * 4);
  rt.dispatch('copyStrided', () => COPY, params, [x, out], groupsFor(n));
  return out;
}

const COPY =
  PARAMS +
  STRIDED_OFF +
  binding(1, 'X', 'read') +
  binding(2, 'Y', 'read_write') +
  main1d(`
  if (i >= p(0)) { return; }
  Y[i] = X[strided_off(i, 0u)];`);

/** Inputs bound per concat dispatch (WebGPU guarantees 8 storage bindings: these and the output). */
const CONCAT_INPUTS = 7;

/**
 * p(0) = elements this dispatch writes (outer x its inputs' chunks), p(1) = those chunks summed, p(2) = output row,
 * p(3) = where the first of its inputs starts in a row, p(4 + 2j) / p(5 + 2j) = input j's chunk and its start among
 * this dispatch's columns (inputs past the last have chunk 0).
 */
const CONCAT =
  PARAMS +
  Array.from({ length: CONCAT_INPUTS }, (_, j) => binding(j + 1, `X${j}`, 'read')).join('') +
  binding(CONCAT_INPUTS + 1, 'Y', 'read_write') +
  main1d(`
  if (i >= p(0)) { return; }
  let o = i / p(1);
  let c = i % p(1);
  var v = 0u;
${Array.from({ length: CONCAT_INPUTS }, (_, j) => {
  const [chunk, start] = [`p(${4 + 2 * j}u)`, `p(${5 + 2 * j}u)`];
  return `  ${j > 0 ? 'else ' : ''}if (c < ${start} + ${chunk}) { v = X${j}[o * ${chunk} + c - ${start}]; }`;
}).join('\n')}
  Y[o * p(2) + p(3) + c] = v;`);

/** Up to CONCAT_INPUTS inputs per dispatch, each writing its [outer, chunk] block into its columns of the rows. */
export function concat(
  rt: Runner,
  xs: readonly GPUBuffer[],
  shapes: readonly (readonly number[])[],
  axis: number,
): GPUBuffer {
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  const outer = size(shapes[0].slice(0, axis));
  const chunks = shapes.map((s) => size(s.slice(axis)));
  const row = chunks.reduce((a, b) => a + b, 0);
  const out = rt.output('concat', outer * row * 4);
  let col = 0;
  for (let first = 0; first < xs.length; first += CONCAT_INPUTS) {
    const group = chunks.slice(first, first + CONCAT_INPUTS);
    const params = new Uint32Array(4 + 2 * CONCAT_INPUTS);
    let local = 0;
    group.forEach((chunk, j) => {
      params.set([chunk, local], 4 + 2 * j);
      local += chunk;
    });
    const n = outer * local;
    params.set([n, local, row, col]);
    const buffers = Array.from({ length: CONCAT_INPUTS }, (_, j) => xs[first + Math.min(j, group.length - 1)]);
    if (n > 0) rt.dispatch('concat', () => CONCAT, params, [...buffers, out], groupsFor(n));
    col += local;
  }
  return out;
}
