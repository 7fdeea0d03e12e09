// WGSL building blocks shared by the kernel files: the parameter block, typed loads over raw u32 storage, special
// float values, and strided indexing. Also the host-side shape collapsing that keeps strided kernels at low rank.

import type { DType, StridedView } from '../backend.js';

export const WORKGROUP = 64;
export const STATUS_WORDS = 8;
export const MAX_RANK = 8;

/** WGSL scalar type for a GPU dtype (float64 never reaches a kernel: the backend refuses it up front). */
export function wgslType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'int32' ? 'i32' : 'f32';
}

/** Every buffer is bound as raw u32 words, so one binding layout serves both dtypes and copies move bits untouched. */
export function load(dtype: DType, word: string): string {
  return `bitcast<${wgslType(dtype)}>(${word})`;
}

/** Binding 0 is a slot of the runner's uniform arena: 64 u32 words read with p(i). */
export const PARAMS = `
@group(0) @binding(0) var<uniform> P: array<vec4<u32>, 16>;
fn p(i: u32) -> u32 { return P[i >> 2u][i & 3u]; }
`;

export function binding(slot: number, name: string, access: 'read' | 'read_write'): string {
  return `@group(0) @binding(${slot}) var<storage, ${access}> ${name}: array<u32>;\n`;
}

/** inf/NaN built at run time: WGSL rejects them as constant expressions. The NaN test looks at the bits, so no
 *  compiler's fast-math can fold it away. */
export const SPECIAL = `
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn inf() -> f32 { return bitcast<f32>(INF_BITS); }
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

/** A 1-D kernel entry point: `i` is the linear invocation id over the x*y grid the runner dispatches. */
export function main1d(body: string): string {
  return `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid;
${body}
}
`;
}

/**
 * Parameter layout of strided kernels: word 0 = element count, words 4+k = offset of operand k (k < 3), word 7 = the
 * rank, words 8.. = the (collapsed) shape, words 16+8k.. = strides of operand k. strided_off(i, k) is where operand
 * k's element for output index i lives. The rank is a run-time parameter, not baked into the shader: one pipeline
 * then serves every rank, and each pipeline costs a compilation (hundreds of ms under a software driver).
 */
export const STRIDED_OFF = `
fn strided_off(i: u32, k: u32) -> u32 {
  var rem = i;
  var o = p(4u + k);
  for (var d = i32(p(7u)) - 1; d >= 0; d--) {
    let du = u32(d);
    let s = p(8u + du);
    o += (rem % s) * p(16u + 8u * k + du);
    rem = rem / s;
  }
  return o;
}
`;

export interface Collapsed {
  shape: number[];
  strides: number[][];
}

/** Drops size-1 dims and merges neighbours that every operand walks contiguously, so most views become rank 1-2. */
export function collapse(op: string, shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => out[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => (out[k][last] = s[d]));
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => out[k].push(s[d]));
    }
  }
  if (dims.length > MAX_RANK) {
    throw new Error(
      `${op}: the WebGPU backend handles strided views of at most ${MAX_RANK} non-mergeable dims, got shape [${shape}]`,
    );
  }
  return { shape: dims, strides: out };
}

/** The parameter words for a strided kernel over `views` (all of the same output shape). */
export function stridedParams(op: string, views: readonly StridedView[]): { n: number; params: Uint32Array } {
  const shape = views[0].shape;
  const n = shape.reduce((a, b) => a * b, 1);
  const c = collapse(
    op,
    shape,
    views.map((v) => v.strides),
  );
  const params = new Uint32Array(16 + 8 * views.length);
  params[0] = n;
  params[7] = c.shape.length;
  views.forEach((v, k) => (params[4 + k] = v.offset));
  params.set(c.shape, 8);
  c.strides.forEach((s, k) => params.set(s, 16 + 8 * k));
  return { n, params };
}

export function groupsFor(n: number): number {
  return Math.ceil(n / WORKGROUP);
}
