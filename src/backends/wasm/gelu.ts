// GPT-2's tanh-GELU and its backward as WebAssembly SIMD over float32, in the same formulas as the TypeScript
// kernels (backends/cpu/fused.ts): t = tanh(z) = 1 - 2 / (e^{2z} + 1), z = c (x + a x^3), e^y from vector-math.ts.

import { GELU_A, GELU_C } from '../backend.js';
import { FuncBuilder } from './emit.js';
import { Constants, exp, expScratch, type ExpScratch } from './vector-math.js';

/** Sets local t = tanh(c (x + a x^3)) for the vector in local x. */
function geluTanh(f: FuncBuilder, k: Constants, x: number, t: number, s: ExpScratch): void {
  const K = (v: number) => f.get(k.get(v));
  // y = 2 c (x + a x^3)
  f.get(x).get(x).simd('f32x4.mul').get(x).simd('f32x4.mul');
  K(GELU_A).simd('f32x4.mul').get(x).simd('f32x4.add');
  K(2 * GELU_C)
    .simd('f32x4.mul')
    .set(s.y);
  K(1);
  K(2);
  exp(f, k, s);
  K(1).simd('f32x4.add').simd('f32x4.div').simd('f32x4.sub').set(t);
}

/** gelu(x, out, count): count floats (a multiple of 4) at byte address x, results at out. */
export function emitGelu(): FuncBuilder {
  const f = new FuncBuilder('gelu', ['i32', 'i32', 'i32']);
  const [src, dst, count] = [0, 1, 2];
  const k = new Constants(f);
  const off = f.local('i32'),
    end = f.local('i32');
  const x = f.local('v128'),
    t = f.local('v128');
  const tmp = expScratch(f);
  k.prepareExp();
  for (const c of [GELU_A, 2 * GELU_C, 2, 0.5]) k.get(c);
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(
    off,
    () => f.i32(0),
    () => f.get(end),
    16,
    () => {
      f.get(src).get(off).op('i32.add').v128('v128.load').set(x);
      geluTanh(f, k, x, t, tmp);
      // out = 0.5 x (1 + t)
      f.get(dst).get(off).op('i32.add');
      f.get(k.get(0.5)).get(x).simd('f32x4.mul').get(k.get(1)).get(t).simd('f32x4.add').simd('f32x4.mul');
      f.v128('v128.store');
    },
  );
  return f;
}

/** geluBackward(x, g, out, count): out = g (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)). */
export function emitGeluBackward(): FuncBuilder {
  const f = new FuncBuilder('geluBackward', ['i32', 'i32', 'i32', 'i32']);
  const [src, grad, dst, count] = [0, 1, 2, 3];
  const k = new Constants(f);
  const K = (v: number) => f.get(k.get(v));
  const off = f.local('i32'),
    end = f.local('i32');
  const x = f.local('v128'),
    t = f.local('v128');
  const tmp = expScratch(f);
  k.prepareExp();
  for (const c of [GELU_A, 2 * GELU_C, 2, 0.5, GELU_C, 3 * GELU_A]) k.get(c);
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(
    off,
    () => f.i32(0),
    () => f.get(end),
    16,
    () => {
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
      K(3 * GELU_A)
        .get(x)
        .simd('f32x4.mul')
        .get(x)
        .simd('f32x4.mul')
        .simd('f32x4.add')
        .simd('f32x4.mul');
      f.simd('f32x4.add').simd('f32x4.mul');
      f.v128('v128.store');
    },
  );
  return f;
}
