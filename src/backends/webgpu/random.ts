// Dropout with its mask made on the GPU: the same Philox 4x32-10 counters as random.ts's uniformArray, so the same
// elements are kept as by the CPU's mask, with nothing uploaded (a mask per layer per step was hundreds of MB at
// real sizes). WGSL has no 64-bit product, so the high word of each 32x32 multiply is built from 16-bit halves.

import type { GPUBuffer } from './gpu-types.js';
import type { Runner } from './runner.js';
import { PARAMS, binding, groupsFor, main1d } from './wgsl.js';

export const PHILOX = `
fn mulhi(a: u32, b: u32) -> u32 {
  let aH = a >> 16u; let aL = a & 0xffffu; let bH = b >> 16u; let bL = b & 0xffffu;
  let lh = aL * bH; let hl = aH * bL;
  let mid = ((aL * bL) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return aH * bH + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}
fn philox_word(block: u32, word: u32, key0: u32, key1: u32) -> u32 {
  var c = vec4<u32>(block, 0u, 0u, 0u);
  var k0 = key0; var k1 = key1;
  for (var r = 0u; r < 10u; r++) {
    let hi0 = mulhi(0xd2511f53u, c.x); let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi(0xcd9e8d57u, c.z); let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
    k0 = k0 + 0x9e3779b9u; k1 = k1 + 0xbb67ae85u;
  }
  return c[word];
}
`;

/** p(0) = n, p(1..2) = key, p(3) = keep threshold on the word, p(4) = 1 when nothing is kept, p(5) = keep scale. */
const DROPOUT =
  PARAMS +
  PHILOX +
  binding(1, 'X', 'read') +
  binding(2, 'Y', 'read_write') +
  main1d(`
  if (i >= p(0)) { return; }
  let w = philox_word(i / 4u, i % 4u, p(1), p(2));
  let keep = p(4) == 0u && w >= p(3);
  Y[i] = bitcast<u32>(bitcast<f32>(X[i]) * select(0.0, bitcast<f32>(p(5)), keep));`);

/** [keep threshold on the Philox word, 1 when nothing is kept, the keep scale's float32 bits] for drop rate `p`. */
export function keepParams(p: number): [number, number, number] {
  // the CPU keeps u >= p with u = (w + 0.5) / 2^32 in float64, i.e. w + 0.5 >= p 2^32 (exact), i.e. w >= threshold
  const threshold = Math.ceil(p * 2 ** 32 - 0.5);
  const scale = new Uint32Array(new Float32Array([1 / (1 - p)]).buffer)[0];
  return [Math.min(threshold, 0xffffffff), threshold > 0xffffffff ? 1 : 0, scale];
}

export function dropout(rt: Runner, x: GPUBuffer, n: number, p: number, key: readonly [number, number]): GPUBuffer {
  const out = rt.output('dropout', n * 4);
  const params = [n, key[0], key[1], ...keepParams(p)];
  rt.dispatch('dropout', () => DROPOUT, params, [x, out], groupsFor(n));
  return out;
}
