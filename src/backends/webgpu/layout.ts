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

const CONCAT =
  PARAMS +
  binding(1, 'X', 'read') +
  binding(2, 'Y', 'read_write') +
  main1d(`
  // p(0) = outer * chunk elements to copy, p(1) = chunk (this input's row), p(2) = output row, p(3) = column offset
  if (i >= p(0)) { return; }
  let o = i / p(1);
  Y[o * p(2) + p(3) + i % p(1)] = X[i];`);

/** One dispatch per input, each writing its [outer, chunk] block into its column range of the output rows. */
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
  xs.forEach((x, t) => {
    const n = outer * chunks[t];
    rt.dispatch('concat', () => CONCAT, [n, chunks[t], row, col], [x, out], groupsFor(n));
    col += chunks[t];
  });
  return out;
}
