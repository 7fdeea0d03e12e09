// Shape arithmetic (broadcasting, axes, strides) and the error messages for bad shapes.
// Every message names the op and the shapes involved, so a user can find the line that went wrong.

import type { StridedView } from './backends/backend.js';
import { contiguousStrides, sizeOf } from './backends/backend.js';

export { sizeOf, contiguousStrides } from './backends/backend.js';

export type Shape = readonly number[];

export const fmt = (s: Shape): string => `[${s.join(',')}]`;

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`${op}: invalid shape ${fmt(shape)}: dims must be non-negative integers`);
  }
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast (dim ${i - rank} is ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** The view that reads a contiguous tensor of `shape` as if it were broadcast to `outShape`. */
export function broadcastView(shape: Shape, outShape: Shape): StridedView {
  const strides = contiguousStrides(shape);
  const lead = outShape.length - shape.length;
  return {
    shape: outShape,
    strides: outShape.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : strides[i - lead])),
    offset: 0,
  };
}

export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axis argument (undefined = all axes) to a sorted list of distinct non-negative axes. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = (typeof axes === 'number' ? [axes] : [...axes]).map((a) => normAxis(op, a, rank));
  if (new Set(list).size !== list.length) throw new Error(`${op}: repeated axis in [${axes}]`);
  return list.sort((p, q) => p - q);
}

/** Resolves a single -1 in a reshape target. */
export function resolveReshape(op: string, from: Shape, to: Shape): number[] {
  const size = sizeOf(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`${op}: only one dim may be -1, got ${fmt(to)}`);
  const known = to.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = to.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== size) {
    throw new Error(`${op}: cannot reshape ${fmt(from)} (${size} elements) to ${fmt(to)}`);
  }
  return out;
}
