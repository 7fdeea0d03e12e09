// The fused row kernels (softmax, logSoftmax, layer normalisation and their backward) as WebAssembly SIMD over
// float32, in the formulas of the TypeScript kernels (backends/cpu/fused.ts). Rows of a contiguous [rows, d] tensor
// are walked four floats at a time; the last vector of a row reaches into the next row (or the 4-float slack the
// caller leaves after every operand), so reductions mask those lanes out, and stores past the row end are
// overwritten by the next row or land in the slack. Row sums are in four float32 lanes (the TypeScript kernels sum
// in float64), which is where the tested error bound comes from.

import { FuncBuilder } from './emit.js';
import { Constants, exp, expScratch } from './vector-math.js';

/** The row walk shared by every kernel: row start, byte offset in the row, and the mask of in-row lanes. */
class Rows {
  readonly k: Constants;
  private readonly rowAt: number;
  private readonly rowsEnd: number;
  private readonly rowBytes: number;
  private readonly j: number;
  private readonly laneOffsets: number;
  private readonly rowBytesSplat: number;
  /** All-ones in the lanes of the current vector that lie inside the row. */
  readonly mask: number;
  /** Byte offset of the current row's entry in a per-row array of floats. */
  readonly rowIndex: number;
  /** d as a float32 local. */
  readonly dFloat: number;

  constructor(
    readonly f: FuncBuilder,
    rows: number,
    d: number,
  ) {
    this.k = new Constants(f);
    [this.rowAt, this.rowsEnd, this.rowBytes, this.j, this.rowIndex] = [0, 0, 0, 0, 0].map(() => f.local('i32'));
    [this.laneOffsets, this.rowBytesSplat, this.mask] = [0, 0, 0].map(() => f.local('v128'));
    this.dFloat = f.local('f32');
    f.get(d).i32(4).op('i32.mul').set(this.rowBytes);
    f.get(rows).get(this.rowBytes).op('i32.mul').set(this.rowsEnd);
    f.get(d).op('f32.convert_i32_s').set(this.dFloat);
    f.i32x4([0, 4, 8, 12]).set(this.laneOffsets);
    f.get(this.rowBytes).simd('i32x4.splat').set(this.rowBytesSplat);
  }

  /** Runs `body` once per row. */
  eachRow(body: () => void): void {
    const f = this.f;
    f.i32(0).set(this.rowIndex);
    f.forRange(
      this.rowAt,
      () => f.i32(0),
      () => f.get(this.rowsEnd),
      () => f.get(this.rowBytes),
      () => {
        body();
        f.get(this.rowIndex).i32(4).op('i32.add').set(this.rowIndex);
      },
    );
  }

  /** Runs `body` once per vector of the current row, with `mask` set. */
  eachVector(body: () => void): void {
    const f = this.f;
    f.forRange(
      this.j,
      () => f.i32(0),
      () => f.get(this.rowBytes),
      16,
      () => {
        f.get(this.j).simd('i32x4.splat').get(this.laneOffsets).simd('i32x4.add');
        f.get(this.rowBytesSplat).simd('i32x4.lt_s').set(this.mask);
        body();
      },
    );
  }

  /** Pushes the address of the current vector in the operand at byte address `base`. */
  at(base: number): this {
    this.f.get(base).get(this.rowAt).op('i32.add').get(this.j).op('i32.add');
    return this;
  }
  /** Pushes the address of the current row's entry in a per-row array at `base` of `width` floats per row. */
  perRow(base: number, width = 1): this {
    this.f.get(this.rowIndex).i32(width).op('i32.mul').get(base).op('i32.add');
    return this;
  }
  /** Pushes the current vector of the operand at `base`. */
  load(base: number): this {
    this.at(base).f.v128('v128.load');
    return this;
  }
  /** Replaces the vector on the stack by itself in the row's lanes and 0 elsewhere. */
  masked(): this {
    this.f.get(this.mask).simd('v128.and');
    return this;
  }
  /** local acc += the vector on the stack. */
  accumulate(acc: number): void {
    this.f.get(acc).simd('f32x4.add').set(acc);
  }
  /** Pushes the sum (or max) of the four lanes of local v as an f32. */
  horizontal(v: number, op: 'f32.add' | 'f32.max'): this {
    const f = this.f;
    f.get(v).extractLane('f32x4', 0).get(v).extractLane('f32x4', 1).op(op);
    f.get(v).extractLane('f32x4', 2).op(op).get(v).extractLane('f32x4', 3).op(op);
    return this;
  }
  /** Sets local acc to zeros. */
  zero(acc: number): void {
    this.f.get(this.k.get(0)).set(acc);
  }
}

/** Sets local `shift` (splatted) to the row max, or 0 when it is infinite (as rowShift in the TypeScript kernels). */
function rowShift(rows: Rows, x: number, shift: number): void {
  const { f, k } = rows;
  const acc = f.local('v128'),
    m = f.local('f32');
  f.get(k.get(-Infinity)).set(acc);
  rows.eachVector(() => {
    f.get(acc);
    rows.load(x);
    f.get(k.get(-Infinity)).get(rows.mask).simd('v128.bitselect').simd('f32x4.max').set(acc);
  });
  rows.horizontal(acc, 'f32.max').f.set(m);
  f.f32(0).get(m).get(m).op('f32.abs').f32(Infinity).op('f32.eq').op('select').simd('f32x4.splat').set(shift);
}

/** Sets local `sum` to the row's sum of e^(x - shift), storing each e^(x - shift) at `out` if given. */
function expSum(rows: Rows, x: number, shift: number, sum: number, out?: number): void {
  const { f, k } = rows;
  const s = expScratch(f),
    e = f.local('v128');
  rows.zero(sum);
  rows.eachVector(() => {
    rows.load(x).f.get(shift).simd('f32x4.sub').set(s.y);
    exp(f, k, s);
    rows.masked().f.set(e);
    if (out !== undefined) rows.at(out).f.get(e).v128('v128.store');
    rows.f.get(e);
    rows.accumulate(sum);
  });
}

/** Splats the constants of rowShift and expSum before any loop. */
function prepare(k: Constants): void {
  k.prepareExp();
  for (const c of [0, -Infinity]) k.get(c);
}

/** softmax(x, out, rows, d). */
export function emitSoftmax(): FuncBuilder {
  const f = new FuncBuilder('softmax', ['i32', 'i32', 'i32', 'i32']);
  const [x, out] = [0, 1];
  const rows = new Rows(f, 2, 3);
  prepare(rows.k);
  const shift = f.local('v128'),
    sum = f.local('v128'),
    inv = f.local('v128');
  rows.eachRow(() => {
    rowShift(rows, x, shift);
    expSum(rows, x, shift, sum, out);
    f.f32(1);
    rows.horizontal(sum, 'f32.add').f.op('f32.div').simd('f32x4.splat').set(inv);
    rows.eachVector(() => {
      rows.at(out).load(out).f.get(inv).simd('f32x4.mul').v128('v128.store');
    });
  });
  return f;
}

/** logSumExpParts(x, parts, rows, d): parts[2r] = row shift, parts[2r + 1] = sum of e^(x - shift). */
export function emitLogSumExpParts(): FuncBuilder {
  const f = new FuncBuilder('logSumExpParts', ['i32', 'i32', 'i32', 'i32']);
  const [x, parts] = [0, 1];
  const rows = new Rows(f, 2, 3);
  prepare(rows.k);
  const shift = f.local('v128'),
    sum = f.local('v128');
  rows.eachRow(() => {
    rowShift(rows, x, shift);
    expSum(rows, x, shift, sum);
    rows.perRow(parts, 2);
    f.get(shift).extractLane('f32x4', 0).store('f32.store');
    rows.perRow(parts, 2);
    rows.horizontal(sum, 'f32.add').f.store('f32.store', 4);
  });
  return f;
}

/** subtractPerRow(x, values, out, rows, d): out = x - values[r] in row r (log-softmax from its log-sum-exp). */
export function emitSubtractPerRow(): FuncBuilder {
  const f = new FuncBuilder('subtractPerRow', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, values, out] = [0, 1, 2];
  const rows = new Rows(f, 3, 4);
  const value = f.local('v128');
  rows.eachRow(() => {
    rows.perRow(values).f.v128('v128.load32_splat').set(value);
    rows.eachVector(() => {
      rows.at(out).load(x).f.get(value).simd('f32x4.sub').v128('v128.store');
    });
  });
  return f;
}

/** softmaxBackward(y, g, out, rows, d): out = y (g - sum(g y)). */
export function emitSoftmaxBackward(): FuncBuilder {
  const f = new FuncBuilder('softmaxBackward', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [y, g, out] = [0, 1, 2];
  const rows = new Rows(f, 3, 4);
  rows.k.get(0);
  const acc = f.local('v128'),
    dot = f.local('v128');
  rows.eachRow(() => {
    rows.zero(acc);
    rows.eachVector(() => {
      rows.load(g).load(y).f.simd('f32x4.mul');
      rows.masked().accumulate(acc);
    });
    rows.horizontal(acc, 'f32.add').f.simd('f32x4.splat').set(dot);
    rows.eachVector(() => {
      rows.at(out).load(y).load(g).f.get(dot).simd('f32x4.sub').simd('f32x4.mul').v128('v128.store');
    });
  });
  return f;
}

/** logSoftmaxBackward(y, g, out, rows, d): out = g - e^y sum(g). */
export function emitLogSoftmaxBackward(): FuncBuilder {
  const f = new FuncBuilder('logSoftmaxBackward', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [y, g, out] = [0, 1, 2];
  const rows = new Rows(f, 3, 4);
  const { k } = rows;
  prepare(k);
  const acc = f.local('v128'),
    sum = f.local('v128'),
    s = expScratch(f);
  rows.eachRow(() => {
    rows.zero(acc);
    rows.eachVector(() => {
      rows.load(g).masked().accumulate(acc);
    });
    rows.horizontal(acc, 'f32.add').f.simd('f32x4.splat').set(sum);
    rows.eachVector(() => {
      rows.load(y).f.set(s.y);
      rows.at(out).load(g);
      exp(f, k, s);
      f.get(sum).simd('f32x4.mul').simd('f32x4.sub').v128('v128.store');
    });
  });
  return f;
}

/** layerNorm(x, y, rstd, rows, d, eps): y = (x - mean) rstd, rstd = 1 / sqrt(biased variance + eps) per row. */
export function emitLayerNorm(): FuncBuilder {
  const f = new FuncBuilder('layerNorm', ['i32', 'i32', 'i32', 'i32', 'i32', 'f32']);
  const [x, y, rstd, eps] = [0, 1, 2, 5];
  const rows = new Rows(f, 3, 4);
  rows.k.get(0);
  const acc = f.local('v128'),
    sumC = f.local('v128'),
    mean = f.local('v128'),
    scale = f.local('v128');
  const c = f.local('v128'),
    r = f.local('f32'),
    shift = f.local('f32');
  rows.eachRow(() => {
    rows.zero(acc);
    rows.eachVector(() => {
      rows.load(x).masked().accumulate(acc);
    });
    rows.horizontal(acc, 'f32.add').f.get(rows.dFloat).op('f32.div').simd('f32x4.splat').set(mean);
    // the corrected two-pass variance: the float32 mean's own error, sum(c) / d, is removed from both the
    // variance and the mean, so the result does not degrade with |mean| / std
    rows.zero(acc);
    rows.zero(sumC);
    rows.eachVector(() => {
      rows.load(x).f.get(mean).simd('f32x4.sub');
      rows.masked().f.tee(c);
      rows.accumulate(sumC);
      f.get(c).get(c).simd('f32x4.mul');
      rows.accumulate(acc);
    });
    rows.horizontal(sumC, 'f32.add').f.get(rows.dFloat).op('f32.div').set(shift);
    f.get(mean).get(shift).simd('f32x4.splat').simd('f32x4.add').set(mean);
    f.f32(1);
    rows.horizontal(acc, 'f32.add').f.get(rows.dFloat).op('f32.div').get(shift).get(shift).op('f32.mul').op('f32.sub');
    f.get(eps).op('f32.add').op('f32.sqrt').op('f32.div').set(r);
    rows.perRow(rstd).f.get(r).store('f32.store');
    f.get(r).simd('f32x4.splat').set(scale);
    rows.eachVector(() => {
      rows.at(y).load(x).f.get(mean).simd('f32x4.sub').get(scale).simd('f32x4.mul').v128('v128.store');
    });
  });
  return f;
}

/** layerNormBackward(xhat, rstd, g, out, rows, d): out = rstd (g - mean(g) - xhat mean(g xhat)). */
export function emitLayerNormBackward(): FuncBuilder {
  const f = new FuncBuilder('layerNormBackward', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [xhat, rstd, g, out] = [0, 1, 2, 3];
  const rows = new Rows(f, 4, 5);
  rows.k.get(0);
  const sg = f.local('v128'),
    sgx = f.local('v128'),
    gv = f.local('v128');
  const mg = f.local('v128'),
    mgx = f.local('v128'),
    scale = f.local('v128');
  const mean = (acc: number, to: number) => {
    rows.horizontal(acc, 'f32.add').f.get(rows.dFloat).op('f32.div').simd('f32x4.splat').set(to);
  };
  rows.eachRow(() => {
    rows.zero(sg);
    rows.zero(sgx);
    rows.eachVector(() => {
      rows.load(g).masked().f.tee(gv);
      rows.accumulate(sg);
      f.get(gv);
      rows.load(xhat).f.simd('f32x4.mul');
      rows.masked().accumulate(sgx);
    });
    mean(sg, mg);
    mean(sgx, mgx);
    rows.perRow(rstd).f.v128('v128.load32_splat').set(scale);
    rows.eachVector(() => {
      rows.at(out).load(g).f.get(mg).simd('f32x4.sub');
      rows.load(xhat).f.get(mgx).simd('f32x4.mul').simd('f32x4.sub').get(scale).simd('f32x4.mul');
      f.v128('v128.store');
    });
  });
  return f;
}
