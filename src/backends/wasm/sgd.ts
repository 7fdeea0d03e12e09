// The fused SGD update (Backend.sgdUpdate for float32) as WebAssembly SIMD. Each f32x4 operation rounds to float32
// like one Math.fround of the TypeScript kernel (cpu/sgd.ts), in the same order, so the two agree bit for bit.

import { FuncBuilder } from './emit.js';

/** Bits of sgd's `flags` argument: which optional terms the update has. */
export const SGD_SCALE = 1;
export const SGD_DECAY = 2;
export const SGD_MOMENTUM = 4;

/**
 * sgd(p, g, buf, count, lr, momentum, wd, scale, flags): updates `count` floats (a multiple of 4) of the parameter
 * at byte address p, and with SGD_MOMENTUM the momentum buffer at buf, in place from the gradient at g:
 * g' = g * scale (SGD_SCALE), g' += p * wd (SGD_DECAY), buf = buf * momentum + g' and g' = buf (SGD_MOMENTUM),
 * then p -= g' * lr. The flags are tested per vector; the branches always go the same way, so they cost little.
 */
export function emitSgd(): FuncBuilder {
  const f = new FuncBuilder('sgd', ['i32', 'i32', 'i32', 'i32', 'f32', 'f32', 'f32', 'f32', 'i32']);
  const [p, g, buf, count, lr, momentum, wd, scale, flags] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const splat = (scalar: number) => {
    const v = f.local('v128');
    f.get(scalar).simd('f32x4.splat').set(v);
    return v;
  };
  const [lrV, momentumV, wdV, scaleV] = [lr, momentum, wd, scale].map(splat);
  const off = f.local('i32'),
    end = f.local('i32'),
    pv = f.local('v128'),
    gv = f.local('v128');
  const has = (bit: number, then: () => void) => f.get(flags).i32(bit).op('i32.and').if(then);
  const at = (base: number) => f.get(base).get(off).op('i32.add');
  f.get(count).i32(4).op('i32.mul').set(end);
  f.forRange(
    off,
    () => f.i32(0),
    () => f.get(end),
    16,
    () => {
      at(p).v128('v128.load').set(pv);
      at(g).v128('v128.load').set(gv);
      has(SGD_SCALE, () => f.get(gv).get(scaleV).simd('f32x4.mul').set(gv));
      has(SGD_DECAY, () => f.get(gv).get(pv).get(wdV).simd('f32x4.mul').simd('f32x4.add').set(gv));
      has(SGD_MOMENTUM, () => {
        at(buf).v128('v128.load').get(momentumV).simd('f32x4.mul').get(gv).simd('f32x4.add').set(gv);
        at(buf).get(gv).v128('v128.store');
      });
      at(p).get(pv).get(gv).get(lrV).simd('f32x4.mul').simd('f32x4.sub').v128('v128.store');
    },
  );
  return f;
}
