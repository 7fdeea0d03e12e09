// The WebAssembly emitter: LEB128 against the spec's worked values, and tiny emitted functions that must validate
// and compute what their instructions say (scalar, control flow, SIMD, memory).

import { describe, expect, it } from 'vitest';
import { encodeModule, FuncBuilder, sleb, uleb } from '../../../src/backends/wasm/emit.js';

const bytes = (fn: (out: number[]) => void) => {
  const out: number[] = [];
  fn(out);
  return out;
};

function instantiate(...funcs: FuncBuilder[]) {
  const module = encodeModule(funcs);
  expect(WebAssembly.validate(module)).toBe(true);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(module), { env: { memory } });
  return { exports: exports as Record<string, (...args: number[]) => number>, memory };
}

describe('wasm emitter', () => {
  it('encodes LEB128 like the spec examples', () => {
    expect(bytes((o) => uleb(o, 624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytes((o) => uleb(o, 0))).toEqual([0]);
    expect(bytes((o) => sleb(o, -123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytes((o) => sleb(o, 64))).toEqual([0xc0, 0x00]);
    expect(bytes((o) => sleb(o, -64))).toEqual([0x40]);
  });

  it('runs scalar arithmetic, locals and a counted loop', () => {
    // sumTo(n) = 0 + 1 + ... + (n - 1), in f64, through forRange
    const sum = new FuncBuilder('sumTo', ['i32'], ['f64']);
    const i = sum.local('i32'),
      acc = sum.local('f64');
    sum.forRange(
      i,
      () => sum.i32(0),
      () => sum.get(0),
      1,
      () => {
        sum.get(acc).get(i).op('f64.convert_i32_s').op('f64.add').set(acc);
      },
    );
    sum.get(acc);
    const fma = new FuncBuilder('fma', ['f32', 'f32', 'f32'], ['f32']);
    fma.get(0).get(1).op('f32.mul').get(2).op('f32.add');
    const { exports } = instantiate(sum, fma);
    expect(exports.sumTo(100)).toBe(4950);
    expect(exports.sumTo(0)).toBe(0);
    expect(exports.fma(1.5, 4, -0.25)).toBe(5.75);
  });

  it('runs SIMD loads, arithmetic and stores on the imported memory', () => {
    // out[0..4) = x[0..4) * splat(y[0]) + x[0..4), then lane 2 returned
    const f = new FuncBuilder('scale', ['i32', 'i32', 'i32'], ['f32']);
    const v = f.local('v128');
    f.get(0).v128('v128.load').tee(v).get(1).v128('v128.load32_splat').simd('f32x4.mul').get(v).simd('f32x4.add');
    f.set(v);
    f.get(2).get(v).v128('v128.store');
    f.get(v).extractLane('f32x4', 2);
    const { exports, memory } = instantiate(f);
    const mem = new Float32Array(memory.buffer);
    mem.set([1, 2, 3, 4, 10], 0);
    expect(exports.scale(0, 16, 32)).toBe(33);
    expect(Array.from(mem.subarray(8, 12))).toEqual([11, 22, 33, 44]);
  });

  it('an ill-typed body fails validation', () => {
    const bad = new FuncBuilder('bad', [], ['f32']);
    bad.i32(1); // an i32 where an f32 result is declared
    expect(WebAssembly.validate(encodeModule([bad]))).toBe(false);
  });
});
