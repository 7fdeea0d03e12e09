// Float32 sum reductions as WebAssembly SIMD, accumulating in float64 like the TypeScript kernels (cpu/reduce.ts):
// four floats at a time are widened to two f64x2 (f64x2.promote_low_f32x4 of an 8-byte splat load) and added.
//
// sumBlocks reduces the middle axis of [outer, r, inner] (inner >= 2: a leading-axis sum such as a bias gradient),
// adding the r rows in order, so every output is the TypeScript kernel's double sum, bit for bit. Its last vector
// of a row reaches past the row like the map kernels (map.ts), so operands need 4 floats of slack after them.
// sumRows reduces the last axis of [rows, d]: a running float64 sum per row in order, four rows at a time (scalar
// loads: lanes would have to come from four rows), bit for bit the TypeScript kernel's.

import { FuncBuilder } from './emit.js';

/** Pushes f64x2 widening of the two floats at the byte address on the stack plus `offset`. */
function widen(f: FuncBuilder, offset: number): void {
  f.v128('v128.load64_splat', offset).simd('f64x2.promote_low_f32x4');
}

/** sumBlocks(x, out, outer, r, inner): out[o, i] = sum over j of x[o, j, i], contiguous x. */
export function emitSumBlocks(): FuncBuilder {
  const f = new FuncBuilder('sumBlocks', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, out, outer, r, inner] = [0, 1, 2, 3, 4];
  const [o, i, j, p, rowBytes, blockAt, outAt] = [0, 0, 0, 0, 0, 0, 0].map(() => f.local('i32'));
  const lo = f.local('v128'),
    hi = f.local('v128');
  f.get(inner).i32(4).op('i32.mul').set(rowBytes);
  f.get(x).set(blockAt);
  f.get(out).set(outAt);
  f.forRange(
    o,
    () => f.i32(0),
    () => f.get(outer),
    1,
    () => {
      f.forRange(
        i,
        () => f.i32(0),
        () => f.get(rowBytes),
        16,
        () => {
          f.f64(0).simd('f64x2.splat').tee(lo).set(hi);
          f.get(blockAt).get(i).op('i32.add').set(p);
          f.forRange(
            j,
            () => f.i32(0),
            () => f.get(r),
            1,
            () => {
              f.get(lo).get(p);
              widen(f, 0);
              f.simd('f64x2.add').set(lo);
              f.get(hi).get(p);
              widen(f, 8);
              f.simd('f64x2.add').set(hi);
              f.get(p).get(rowBytes).op('i32.add').set(p);
            },
          );
          [lo, lo, hi, hi].forEach((acc, lane) => {
            f.get(outAt).get(i).op('i32.add');
            f.get(acc)
              .extractLane('f64x2', lane % 2)
              .op('f32.demote_f64')
              .store('f32.store', lane * 4);
          });
        },
      );
      f.get(blockAt).get(r).get(rowBytes).op('i32.mul').op('i32.add').set(blockAt);
      f.get(outAt).get(rowBytes).op('i32.add').set(outAt);
    },
  );
  return f;
}

/**
 * sumRows(x, out, rows, d): out[row] = sum of the d floats of the row, contiguous x; no slack needed. Each row is
 * one float64 running sum in order, as in the TypeScript kernel (so the same bits); four rows run side by side, so
 * their four dependency chains overlap instead of one add waiting on the last.
 */
export function emitSumRows(): FuncBuilder {
  const f = new FuncBuilder('sumRows', ['i32', 'i32', 'i32', 'i32']);
  const [x, out, rows, d] = [0, 1, 2, 3];
  const [row, p, end, rowBytes, groupEnd] = [0, 0, 0, 0, 0].map(() => f.local('i32'));
  const sums = [0, 0, 0, 0].map(() => f.local('f64'));
  // byte offsets of the group's rows from its first
  const rowOffsets = [0, 0, 0, 0].map(() => f.local('i32'));
  f.get(d).i32(4).op('i32.mul').set(rowBytes);
  rowOffsets.forEach((local, k) => f.get(rowBytes).i32(k).op('i32.mul').set(local));
  /** Sums rows [row, row + width) while row < `until`, leaving row past them. */
  const group = (width: number, until: () => void) =>
    f.forRange(
      row,
      () => f.get(row),
      until,
      width,
      () => {
        for (let k = 0; k < width; k++) f.f64(0).set(sums[k]);
        f.get(x).get(row).get(rowBytes).op('i32.mul').op('i32.add').tee(p).get(rowBytes).op('i32.add').set(end);
        f.forRange(
          p,
          () => f.get(p),
          () => f.get(end),
          4,
          () => {
            for (let k = 0; k < width; k++) {
              f.get(sums[k]).get(p).get(rowOffsets[k]).op('i32.add');
              f.load('f32.load').op('f64.promote_f32').op('f64.add').set(sums[k]);
            }
          },
        );
        for (let k = 0; k < width; k++) {
          f.get(out).get(row).i32(k).op('i32.add').i32(4).op('i32.mul').op('i32.add');
          f.get(sums[k]).op('f32.demote_f64').store('f32.store');
        }
      },
    );
  f.i32(0).set(row);
  f.get(rows).i32(-4).op('i32.and').set(groupEnd);
  group(4, () => f.get(groupEnd));
  group(1, () => f.get(rows));
  return f;
}
