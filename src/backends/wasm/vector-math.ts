// Vector helpers shared by the float32 SIMD kernels: constants splatted once per function, and e^x. WebAssembly has
// no exp, so e^y is computed here: y = n ln2 + r with n = round(y / ln2) and |r| <= ln2 / 2, e^r by its degree-6
// Taylor polynomial (truncation error below 2e-7 relative, about float32's rounding), and 2^n built in the exponent
// bits. Below -87 the result is exactly 0 (as float32 e^y underflows), so masked logits give softmax weights of 0.

import type { FuncBuilder } from './emit.js';

// ln 2 split so n * LN2_HI is exact in float32 for the n that occur (|n| <= 127)
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_MIN = -87;
const EXP_MAX = 88;

/** Vector constants splatted once at the top of a function, by value. */
export class Constants {
  private readonly locals = new Map<number, number>();
  constructor(private readonly f: FuncBuilder) {}
  /** The local holding `value` in all four lanes (splatted where first asked for, so ask before any loop). */
  get(value: number): number {
    let local = this.locals.get(value);
    if (local === undefined) {
      local = this.f.local('v128');
      this.locals.set(value, local);
      this.f.f32(value).simd('f32x4.splat').set(local);
    }
    return local;
  }
  /** Splats every constant exp needs, so a later call inside a loop does not splat per iteration. */
  prepareExp(): void {
    for (const c of [EXP_MIN, EXP_MAX, Math.LOG2E, LN2_HI, LN2_LO, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720])
      this.get(c);
  }
}

/** Locals exp works in: the argument (overwritten), and three scratch vectors. */
export interface ExpScratch {
  y: number;
  n: number;
  r: number;
  underflow: number;
}

/** Four v128 locals for exp. */
export function expScratch(f: FuncBuilder): ExpScratch {
  return { y: f.local('v128'), n: f.local('v128'), r: f.local('v128'), underflow: f.local('v128') };
}

/** Pushes e^y for the vector in local s.y (clamped to [-87, 88]; lanes below -87 give 0; NaN stays NaN). */
export function exp(f: FuncBuilder, k: Constants, s: ExpScratch): void {
  const K = (v: number) => f.get(k.get(v));
  const { y, n, r, underflow } = s;
  f.get(y);
  K(EXP_MIN).simd('f32x4.lt').set(underflow);
  f.get(y);
  K(EXP_MIN).simd('f32x4.max');
  K(EXP_MAX).simd('f32x4.min').set(y);
  f.get(y);
  K(Math.LOG2E).simd('f32x4.mul').simd('f32x4.nearest').set(n);
  f.get(y).get(n);
  K(LN2_HI).simd('f32x4.mul').simd('f32x4.sub').get(n);
  K(LN2_LO).simd('f32x4.mul').simd('f32x4.sub').set(r);
  // Horner: 1 + r (1 + r (1/2 + r (1/6 + r (1/24 + r (1/120 + r / 720)))))
  K(1 / 720);
  for (const c of [1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]) {
    f.get(r).simd('f32x4.mul');
    K(c).simd('f32x4.add');
  }
  // times 2^n: the float with exponent field n + 127
  f.get(n).simd('i32x4.trunc_sat_f32x4_s').i32(127).simd('i32x4.splat').simd('i32x4.add').i32(23).simd('i32x4.shl');
  f.simd('f32x4.mul');
  f.get(underflow).simd('v128.andnot');
}
