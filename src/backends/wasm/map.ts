// Elementwise float32 kernels as WebAssembly SIMD: unary maps over a flat array, and binary ops and where over a [rows,
// cols] walk where each operand is either read along the row (a contiguous run, rows any stride apart) or splatted from
// one float per row (a scalar, or a column broadcast). Covered by these two shapes are the broadcasts a training step
// makes: same shape, [m, n] + [n], [m, n] * scalar, [m, n] - [m, 1].
//
// Rows are walked four floats at a time like the row kernels (rows.ts): a row's last vector reaches past its end,
// into the next row or the 4-float slack the caller leaves after every operand, and what it stores there is
// overwritten by the next row (rows are written in order) or lands in the slack. So there are no scalar tails.
// Every f32x4 op rounds once to float32, as the TypeScript kernels' double result rounded to float32 does (for
// + - * / and sqrt, double then float rounding gives the same bits); the rest only compare, select or flip signs.
// So every kernel here agrees with its TypeScript kernel bit for bit, signed zeros, infinities and NaN included.

import type { BinaryOp, UnaryOp } from '../backend.js';
import { FuncBuilder, type SIMD } from './emit.js';

type Simd = keyof typeof SIMD;

/** The unary ops with a kernel, each as the instructions applied to local `x` (its result left on the stack). */
const UNARY: Partial<Record<UnaryOp, (f: FuncBuilder, x: number, one: number, zero: number) => void>> = {
  neg: (f, x) => f.get(x).simd('f32x4.neg'),
  abs: (f, x) => f.get(x).simd('f32x4.abs'),
  sqrt: (f, x) => f.get(x).simd('f32x4.sqrt'),
  reciprocal: (f, x, one) => f.get(one).get(x).simd('f32x4.div'),
  // (x > 0) - (x < 0) as floats, each mask ANDed with 1.0's bits; NaN and -0 give 0 like the TypeScript kernel
  sign: (f, x, one, zero) => {
    f.get(x).get(zero).simd('f32x4.gt').get(one).simd('v128.and');
    f.get(x).get(zero).simd('f32x4.lt').get(one).simd('v128.and');
    f.simd('f32x4.sub');
  },
};

/** The unary ops that run as wasm (the rest, whose float32 results need a log or exact exp, stay TypeScript). */
export const WASM_UNARY_OPS = Object.keys(UNARY) as UnaryOp[];

/** un_<op>(x, out, count): `count` floats (a multiple of 4) at byte address x, results at out. */
export function emitUnary(op: UnaryOp): FuncBuilder {
  const apply = UNARY[op];
  if (!apply) throw new Error(`emitUnary: no wasm kernel for ${op}`);
  const f = new FuncBuilder(`un_${op}`, ['i32', 'i32', 'i32']);
  const [src, dst, count] = [0, 1, 2];
  const off = f.local('i32'),
    end = f.local('i32'),
    x = f.local('v128'),
    one = f.local('v128'),
    zero = f.local('v128');
  f.f32(1).simd('f32x4.splat').set(one);
  f.f32(0).simd('f32x4.splat').set(zero);
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(
    off,
    () => f.i32(0),
    () => f.get(end),
    16,
    () => {
      f.get(src).get(off).op('i32.add').v128('v128.load').set(x);
      f.get(dst).get(off).op('i32.add');
      apply(f, x, one, zero);
      f.v128('v128.store');
    },
  );
  return f;
}

/**
 * The binary ops with a kernel: one f32x4 instruction each; comparisons give 1.0 or 0.0 (the mask AND 1.0).
 * maximum and minimum are the TypeScript kernel's `a > b ? a : b` (`<` for minimum) with NaN if either is NaN,
 * not f32x4.max/min, which order -0 below +0 where the TypeScript kernel returns b for equal operands.
 */
const BINARY: Partial<Record<BinaryOp, Simd>> = {
  add: 'f32x4.add',
  sub: 'f32x4.sub',
  mul: 'f32x4.mul',
  div: 'f32x4.div',
  maximum: 'f32x4.gt',
  minimum: 'f32x4.lt',
  lt: 'f32x4.lt',
  le: 'f32x4.le',
  gt: 'f32x4.gt',
  ge: 'f32x4.ge',
  eq: 'f32x4.eq',
  ne: 'f32x4.ne',
};
const COMPARISONS: readonly BinaryOp[] = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'];

/** The binary ops that run as wasm (pow stays TypeScript). */
export const WASM_BINARY_OPS = Object.keys(BINARY) as BinaryOp[];

/**
 * bin_<op>(a, aRow, aSplat, b, bRow, bSplat, out, rows, cols): out[r, c] = a[r, c] op b[r, c] for a contiguous
 * [rows, cols] out, where operand a's row r starts at byte a + r * aRow and is read along the row, or (aSplat != 0)
 * is the one float there splatted; b likewise. At most one operand may be splatted.
 */
export function emitBinary(op: BinaryOp): FuncBuilder {
  const instr = BINARY[op];
  if (!instr) throw new Error(`emitBinary: no wasm kernel for ${op}`);
  const f = new FuncBuilder(`bin_${op}`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [a, aRow, aSplat, b, bRow, bSplat, out, rows, cols] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const r = f.local('i32'),
    j = f.local('i32'),
    rowBytes = f.local('i32'),
    pa = f.local('i32'),
    pb = f.local('i32'),
    po = f.local('i32');
  const va = f.local('v128'),
    vb = f.local('v128'),
    x = f.local('v128'),
    y = f.local('v128'),
    one = f.local('v128'),
    nan = f.local('v128');
  f.f32(1).simd('f32x4.splat').set(one);
  f.f32(Number.NaN).simd('f32x4.splat').set(nan);
  f.get(cols).i32(4).op('i32.mul').set(rowBytes);
  // one row: operand vectors pushed by `left` and `right`, result stored at out + j
  const row = (left: () => void, right: () => void) =>
    f.forRange(
      j,
      () => f.i32(0),
      () => f.get(rowBytes),
      16,
      () => {
        f.get(po).get(j).op('i32.add');
        left();
        f.set(x);
        right();
        f.set(y);
        if (op === 'maximum' || op === 'minimum') {
          // NaN where either lane is NaN, else x where x beats y, else y
          f.get(nan).get(x).get(y).get(x).get(y).simd(instr).simd('v128.bitselect');
          f.get(x).get(x).simd('f32x4.ne').get(y).get(y).simd('f32x4.ne').simd('v128.or').simd('v128.bitselect');
        } else {
          f.get(x).get(y).simd(instr);
          if (COMPARISONS.includes(op)) f.get(one).simd('v128.and');
        }
        f.v128('v128.store');
      },
    );
  const along = (p: number) => () => f.get(p).get(j).op('i32.add').v128('v128.load');
  f.get(a).set(pa);
  f.get(b).set(pb);
  f.get(out).set(po);
  f.forRange(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => {
      f.get(aSplat).if(
        () => {
          f.get(pa).v128('v128.load32_splat').set(va);
          row(() => f.get(va), along(pb));
        },
        () =>
          f.get(bSplat).if(
            () => {
              f.get(pb).v128('v128.load32_splat').set(vb);
              row(along(pa), () => f.get(vb));
            },
            () => row(along(pa), along(pb)),
          ),
      );
      f.get(pa).get(aRow).op('i32.add').set(pa);
      f.get(pb).get(bRow).op('i32.add').set(pb);
      f.get(po).get(rowBytes).op('i32.add').set(po);
    },
  );
  return f;
}

/**
 * where_<f32|i32>(c, cRow, cSplat, a, aRow, aSplat, b, bRow, bSplat, out, rows, cols, scratch): out[r, j] = a[r, j]
 * where the condition (float32 or int32) is non-zero, else b[r, j], over a [rows, cols] walk with operands laid out
 * as for bin_<op>. A splatted operand's value is stored as a whole vector in `scratch` (three vectors, 48 bytes) at
 * the row's start and read from there with no step, so one inner loop serves every mix of splatted operands. The
 * chosen float's bits are copied, as the TypeScript kernel copies the value. A -0.0 condition selects b, like 0.
 */
export function emitWhere(cond: 'f32' | 'i32'): FuncBuilder {
  const f = new FuncBuilder(`where_${cond}`, Array<'i32'>(13).fill('i32'));
  const [out, rows, cols, scratch] = [9, 10, 11, 12];
  const r = f.local('i32'),
    j = f.local('i32'),
    rowBytes = f.local('i32'),
    po = f.local('i32');
  // per operand (c, a, b): its row start, the pointer read this vector and the pointer's step
  const ops = [0, 1, 2].map((k) => ({
    base: 3 * k,
    row: 3 * k + 1,
    splat: 3 * k + 2,
    at: f.local('i32'),
    p: f.local('i32'),
    step: f.local('i32'),
  }));
  f.get(cols).i32(4).op('i32.mul').set(rowBytes);
  f.get(out).set(po);
  for (const x of ops) f.get(x.base).set(x.at);
  f.forRange(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => {
      ops.forEach((x, k) => {
        f.get(x.splat).if(
          () => {
            f.get(scratch)
              .get(x.at)
              .v128('v128.load32_splat')
              .v128('v128.store', 16 * k);
            f.get(scratch)
              .i32(16 * k)
              .op('i32.add')
              .set(x.p);
            f.i32(0).set(x.step);
          },
          () => {
            f.get(x.at).set(x.p);
            f.i32(16).set(x.step);
          },
        );
      });
      f.forRange(
        j,
        () => f.i32(0),
        () => f.get(rowBytes),
        16,
        () => {
          const [c, a, b] = ops;
          f.get(po).get(j).op('i32.add');
          f.get(a.p).v128('v128.load').get(b.p).v128('v128.load');
          f.get(c.p).v128('v128.load');
          if (cond === 'f32') f.f32(0).simd('f32x4.splat').simd('f32x4.ne');
          else f.i32(0).simd('i32x4.splat').simd('i32x4.ne');
          f.simd('v128.bitselect').v128('v128.store');
          for (const x of ops) f.get(x.p).get(x.step).op('i32.add').set(x.p);
        },
      );
      for (const x of ops) f.get(x.at).get(x.row).op('i32.add').set(x.at);
      f.get(po).get(rowBytes).op('i32.add').set(po);
    },
  );
  return f;
}
