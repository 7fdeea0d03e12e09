// GPT-2's tanh-GELU and its backward as WebAssembly SIMD over float32, in the same formulas as the TypeScript
// kernels (backends/cpu/fused.ts): t = tanh(z) = 1 - 2 / (e^{2z} + 1), z = c (x + a x^3). WebAssembly has no exp, so
// e^y is computed here: y = n ln2 + r with n = round(y / ln2) and |r| <= ln2 / 2, e^r by its degree-6 Taylor
// polynomial (truncation error below 2e-7 relative, about float32's rounding), and 2^n built in the exponent bits.

import { FuncBuilder } from './emit.js';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;
// ln 2 split so n * LN2_HI is exact in float32 for the n that occur (|n| <= 127)
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;

/** Vector constants splatted once at the top of a function, by value. */
class Constants {
  private readonly locals = new Map<number, number>();
  constructor(private readonly f: FuncBuilder) {}
  get(value: number): number {
    let local = this.locals.get(value);
    if (local === undefined) {
      local = this.f.local('v128');
      this.locals.set(value, local);
      this.f.f32(value).simd('f32x4.splat').set(local);
    }
    return local;
  }
}

/** Pushes e^y for the vector in local y (clamped to [-87, 88], where float32 e^y is finite and normal). */
function exp(f: FuncBuilder, k: Constants, y: number, n: number, r: number): void {
  const K = (v: number) => f.get(k.get(v));
  f.get(y);
  K(-87).simd('f32x4.max');
  K(88).simd('f32x4.min').set(y);
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
}

/** Sets local t = tanh(c (x + a x^3)) for the vector in local x. */
function geluTanh(f: FuncBuilder, k: Constants, x: number, t: number, tmp: [number, number, number]): void {
  const K = (v: number) => f.get(k.get(v));
  const [y, n, r] = tmp;
  // y = 2 c (x + a x^3)
  f.get(x).get(x).simd('f32x4.mul').get(x).simd('f32x4.mul');
  K(GELU_A).simd('f32x4.mul').get(x).simd('f32x4.add');
  K(2 * GELU_C).simd('f32x4.mul').set(y);
  K(1);
  K(2);
  exp(f, k, y, n, r);
  K(1).simd('f32x4.add').simd('f32x4.div').simd('f32x4.sub').set(t);
}

/** gelu(x, out, count): count floats (a multiple of 4) at byte address x, results at out. */
export function emitGelu(): FuncBuilder {
  const f = new FuncBuilder('gelu', ['i32', 'i32', 'i32']);
  const [src, dst, count] = [0, 1, 2];
  const k = new Constants(f);
  const off = f.local('i32'), end = f.local('i32');
  const x = f.local('v128'), t = f.local('v128');
  const tmp: [number, number, number] = [f.local('v128'), f.local('v128'), f.local('v128')];
  for (const c of [GELU_A, 2 * GELU_C, 1, 2, -87, 88, Math.LOG2E, LN2_HI, LN2_LO, 0.5]) k.get(c);
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(off, () => f.i32(0), () => f.get(end), 16, () => {
    f.get(src).get(off).op('i32.add').v128('v128.load').set(x);
    geluTanh(f, k, x, t, tmp);
    // out = 0.5 x (1 + t)
    f.get(dst).get(off).op('i32.add');
    f.get(k.get(0.5)).get(x).simd('f32x4.mul').get(k.get(1)).get(t).simd('f32x4.add').simd('f32x4.mul');
    f.v128('v128.store');
  });
  return f;
}

/** geluBackward(x, g, out, count): out = g (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)). */
export function emitGeluBackward(): FuncBuilder {
  const f = new FuncBuilder('geluBackward', ['i32', 'i32', 'i32', 'i32']);
  const [src, grad, dst, count] = [0, 1, 2, 3];
  const k = new Constants(f);
  const K = (v: number) => f.get(k.get(v));
  const off = f.local('i32'), end = f.local('i32');
  const x = f.local('v128'), t = f.local('v128');
  const tmp: [number, number, number] = [f.local('v128'), f.local('v128'), f.local('v128')];
  for (const c of [GELU_A, 2 * GELU_C, 1, 2, -87, 88, Math.LOG2E, LN2_HI, LN2_LO, 0.5, GELU_C, 3 * GELU_A]) k.get(c);
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(off, () => f.i32(0), () => f.get(end), 16, () => {
    f.get(src).get(off).op('i32.add').v128('v128.load').set(x);
    geluTanh(f, k, x, t, tmp);
    f.get(dst).get(off).op('i32.add');
    f.get(grad).get(off).op('i32.add').v128('v128.load');
    // 0.5 (1 + t)
    K(0.5);
    K(1).get(t).simd('f32x4.add').simd('f32x4.mul');
    // 0.5 x (1 - t^2) c (1 + 3 a x^2)
    K(0.5).get(x).simd('f32x4.mul');
    K(1).get(t).get(t).simd('f32x4.mul').simd('f32x4.sub').simd('f32x4.mul');
    K(GELU_C).simd('f32x4.mul');
    K(1);
    K(3 * GELU_A).get(x).simd('f32x4.mul').get(x).simd('f32x4.mul').simd('f32x4.add').simd('f32x4.mul');
    f.simd('f32x4.add').simd('f32x4.mul');
    f.v128('v128.store');
  });
  return f;
}
