// The fused Adam / AdamW update as WebAssembly SIMD (Backend.adamUpdate for float32). Each f32x4 operation rounds
// to float32 exactly like one composed tensor op, and the operations come in the composed update's order
// (optim/adam.ts), so the result is bit-identical to it. Weight decay is decided per parameter by the optimizer, so
// each mode is its own function, with no branch in the loop.

import { FuncBuilder } from './emit.js';

/** How weight decay enters: not at all, added to the gradient (Adam's L2), or shrinking the parameter (AdamW). */
export type AdamDecayMode = 'none' | 'grad' | 'param';

/**
 * adam_<mode>(p, g, m, v, count, scale, beta1, 1-beta1, beta2, 1-beta2, shrink, wd, eps, sqrt(bc2), lr/bc1):
 * updates `count` floats (a multiple of 4) at byte addresses p, m, v in place from the gradient at g.
 */
export function emitAdam(mode: AdamDecayMode): FuncBuilder {
  const f = new FuncBuilder(`adam_${mode}`, ['i32', 'i32', 'i32', 'i32', 'i32', ...Array<'f32'>(10).fill('f32')]);
  const [p, g, m, v, count] = [0, 1, 2, 3, 4];
  const scalars = ['scale', 'b1', 'omb1', 'b2', 'omb2', 'shrink', 'wd', 'eps', 'sqrtBc2', 'stepSize'] as const;
  // every scalar splatted once into a vector local
  const vec = {} as Record<(typeof scalars)[number], number>;
  scalars.forEach((name, i) => {
    vec[name] = f.local('v128');
    f.get(5 + i)
      .simd('f32x4.splat')
      .set(vec[name]);
  });
  const off = f.local('i32'),
    end = f.local('i32');
  const gv = f.local('v128'),
    pv = f.local('v128'),
    mv = f.local('v128'),
    vv = f.local('v128');
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(
    off,
    () => f.i32(0),
    () => f.get(end),
    16,
    () => {
      const at = (base: number) => f.get(base).get(off).op('i32.add');
      at(p).v128('v128.load').set(pv);
      at(g).v128('v128.load').get(vec.scale).simd('f32x4.mul').set(gv);
      if (mode === 'grad') f.get(gv).get(pv).get(vec.wd).simd('f32x4.mul').simd('f32x4.add').set(gv);
      // m = m*b1 + g*(1-b1)
      at(m)
        .v128('v128.load')
        .get(vec.b1)
        .simd('f32x4.mul')
        .get(gv)
        .get(vec.omb1)
        .simd('f32x4.mul')
        .simd('f32x4.add')
        .set(mv);
      // v = v*b2 + (g*g)*(1-b2)
      at(v).v128('v128.load').get(vec.b2).simd('f32x4.mul');
      f.get(gv).get(gv).simd('f32x4.mul').get(vec.omb2).simd('f32x4.mul').simd('f32x4.add').set(vv);
      at(m).get(mv).v128('v128.store');
      at(v).get(vv).v128('v128.store');
      // p = base - (m / (sqrt(v)/sqrt(bc2) + eps)) * stepSize, base = p*shrink for AdamW
      at(p);
      f.get(pv);
      if (mode === 'param') f.get(vec.shrink).simd('f32x4.mul');
      f.get(mv).get(vv).simd('f32x4.sqrt').get(vec.sqrtBc2).simd('f32x4.div').get(vec.eps).simd('f32x4.add');
      f.simd('f32x4.div').get(vec.stepSize).simd('f32x4.mul').simd('f32x4.sub');
      f.v128('v128.store');
    },
  );
  return f;
}
