// Reductions (sum, max, argmax) as workgroup tree reductions: one workgroup per output element, each thread folding
// a strided share of the row, then a log2(64)-step tree in workgroup memory. Any set of axes is first brought to
// [kept..., reduced...] order by a strided copy (skipped when the layout already is), so the kernel only ever sees
// contiguous rows. The order of every addition is fixed, so results are bit-identical run to run.
//
// Two shapes make that layout a poor fit, and get one thread per output instead, walking its own slice in order:
// short rows (a [2M, 3] sum would leave 61 of 64 threads idle in 2M workgroups) and reductions over leading or
// middle axes ([outer, r, inner] with inner > 1: every bias gradient), which would otherwise need a transposed copy
// first; there neighbouring threads read neighbouring columns, so the reads coalesce.
//
// A long row would leave one workgroup looping over all of it while the rest of the GPU idles, so sums and maxima of
// rows longer than 2 * CHUNK run in two passes: one workgroup per CHUNK-long piece of a row, then one per row over
// the pieces' partial results. (argmax stays single-pass: its partials would also need their indices.)

import type { GPUBuffer } from './gpu-types.js';
import type { DType, ReduceOp } from '../backend.js';
import type { Runner } from './runner.js';
import { copyStrided } from './layout.js';
import { PARAMS, SPECIAL, WORKGROUP, binding, groupsFor, load, main1d, wgslType } from './wgsl.js';

const CHUNK = 4096;

/** Does `cand` (value v at index j) beat the running best (a at ia)? NaN wins like torch (the first NaN for argmax);
 *  ties go to the lower index, so argmax is the first maximum as on the CPU. */
function betterFn(dtype: DType): string {
  if (dtype === 'int32')
    return 'fn better(v: i32, j: u32, a: i32, ia: u32) -> bool { return v > a || (v == a && j < ia); }';
  return `
fn better(v: f32, j: u32, a: f32, ia: u32) -> bool {
  if (is_nan(a)) { return is_nan(v) && j < ia; }
  if (is_nan(v)) { return true; }
  return v > a || (v == a && j < ia);
}`;
}

function kernel(op: ReduceOp, dtype: DType): string {
  const T = wgslType(dtype);
  const isSum = op === 'sum';
  const ident = isSum ? `${T}(0)` : dtype === 'int32' ? '(-2147483647i - 1i)' : '-inf()';
  const fold = isSum ? 'acc = acc + v;' : 'if (better(v, j, acc, idx)) { acc = v; idx = j; }';
  const merge = isSum
    ? 'sv[lid] = sv[lid] + sv[lid + s];'
    : 'if (better(sv[lid + s], si[lid + s], sv[lid], si[lid])) { sv[lid] = sv[lid + s]; si[lid] = si[lid + s]; }';
  const result = op === 'argmax' ? 'bitcast<u32>(select(i32(si[0]), 0i, si[0] == 0xffffffffu))' : 'bitcast<u32>(sv[0])';
  return `${PARAMS + SPECIAL + (isSum ? '' : betterFn(dtype)) + binding(1, 'X', 'read') + binding(2, 'Y', 'read_write')}
var<workgroup> sv: array<${T}, ${WORKGROUP}>;
var<workgroup> si: array<u32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  // p(0) = rows x pieces per row, p(1) = row length, p(2) = piece length, p(3) = pieces per row. The workgroup id
  // is uniform across the workgroup, so this return is too.
  let w = wid.y * nwg.x + wid.x;
  if (w >= p(0)) { return; }
  let r = p(1);
  let base = (w / p(3)) * r;
  let start = (w % p(3)) * p(2);
  let end = min(r, start + p(2));
  var acc: ${T} = ${ident};
  var idx: u32 = 0xffffffffu;
  for (var j = start + lid; j < end; j += ${WORKGROUP}u) {
    let v = ${load(dtype, 'X[base + j]')};
    ${fold}
  }
  sv[lid] = acc;
  si[lid] = idx;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${merge} }
    workgroupBarrier();
  }
  if (lid == 0u) { Y[w] = ${result}; }
}
`;
}

/** Thread-per-output kernel over [outer, r, inner]: p(0) = outer x inner, p(1) = r, p(2) = inner. */
function perOutputKernel(op: ReduceOp, dtype: DType): string {
  const T = wgslType(dtype);
  const isSum = op === 'sum';
  const ident = isSum ? `${T}(0)` : dtype === 'int32' ? '(-2147483647i - 1i)' : '-inf()';
  const fold = isSum ? 'acc = acc + v;' : 'if (better(v, j, acc, idx)) { acc = v; idx = j; }';
  const result = op === 'argmax' ? 'bitcast<u32>(select(i32(idx), 0i, idx == 0xffffffffu))' : 'bitcast<u32>(acc)';
  return (
    PARAMS +
    SPECIAL +
    (isSum ? '' : betterFn(dtype)) +
    binding(1, 'X', 'read') +
    binding(2, 'Y', 'read_write') +
    main1d(`
  if (i >= p(0)) { return; }
  let inner = p(2);
  let base = (i / inner) * p(1) * inner + i % inner;
  var acc: ${T} = ${ident};
  var idx: u32 = 0xffffffffu;
  for (var j = 0u; j < p(1); j++) {
    let v = ${load(dtype, 'X[base + j * inner]')};
    ${fold}
  }
  Y[i] = ${result};`)
  );
}

/** [outer, r, inner] when the reduced axes (ignoring size-1 dims) are one contiguous block, else null. */
export function asOuterReducedInner(
  shape: readonly number[],
  axes: readonly number[],
): [number, number, number] | null {
  const sizes = [1, 1, 1];
  let part = 0; // 0: before the reduced block, 1: inside it, 2: after it
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const isReduced = axes.includes(d);
    if (part === 0 && isReduced) part = 1;
    else if (part === 1 && !isReduced) part = 2;
    else if (part === 2 && isReduced) return null;
    sizes[part] *= shape[d];
  }
  return sizes as [number, number, number];
}

/** Whether one thread per output beats the workgroup-per-row tree for an [outer, r, inner] reduction. */
export function perOutputFits(outer: number, r: number, inner: number): boolean {
  if (inner === 1) return r <= 64; // short rows
  return outer * inner >= 256 || r <= 4096; // columns: enough outputs to fill the GPU, or short enough to walk
}

export function reduce(
  rt: Runner,
  op: ReduceOp,
  x: GPUBuffer,
  shape: readonly number[],
  axes: readonly number[],
  dtype: DType,
): GPUBuffer {
  const reduced = (d: number): boolean => axes.includes(d);
  const rows = shape.reduce((n, d, i) => (reduced(i) ? n : n * d), 1);
  const r = shape.reduce((n, d, i) => (reduced(i) ? n * d : n), 1);
  if (axes.length === 0 && op !== 'argmax') {
    return copyStrided(rt, x, { shape: [rows], strides: [1], offset: 0 });
  }
  const block = asOuterReducedInner(shape, axes);
  if (block && perOutputFits(...block)) {
    const [outer, len, inner] = block;
    const out = rt.output(op, outer * inner * 4);
    rt.dispatch(
      `reducePerOutput:${op}:${dtype}`,
      () => perOutputKernel(op, dtype),
      [outer * inner, len, inner],
      [x, out],
      groupsFor(outer * inner),
    );
    return out;
  }
  // already [kept..., reduced...] when no kept axis of size > 1 comes after a reduced axis of size > 1
  const firstReduced = shape.findIndex((d, i) => reduced(i) && d > 1);
  const inOrder = firstReduced < 0 || shape.every((d, i) => i < firstReduced || reduced(i) || d === 1);
  let src = x;
  if (!inOrder) {
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const perm = [...shape.keys()].filter((d) => !reduced(d)).concat([...axes]);
    src = copyStrided(rt, x, { shape: perm.map((d) => shape[d]), strides: perm.map((d) => strides[d]), offset: 0 });
  }
  const code = (): string => kernel(op, dtype);
  const key = `reduce:${op}:${dtype}`;
  const out = rt.output(op, rows * 4);
  if (op !== 'argmax' && r > 2 * CHUNK) {
    const pieces = Math.ceil(r / CHUNK);
    const partial = rt.output(op, rows * pieces * 4);
    rt.dispatch(key, code, [rows * pieces, r, CHUNK, pieces], [src, partial], rows * pieces);
    rt.dispatch(key, code, [rows, pieces, pieces, 1], [partial, out], rows);
    rt.release(partial);
  } else {
    rt.dispatch(key, code, [rows, r, r, 1], [src, out], rows);
  }
  if (src !== x) rt.release(src);
  return out;
}
