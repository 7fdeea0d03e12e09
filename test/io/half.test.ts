import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { halfToFloat32, toHalfBits } from '../../src/io/half.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/index.js';

// Oracles written from the format definitions, not from the code under test: the value of a bit pattern by
// sign * 2^exponent * significand arithmetic in float64.
function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return e === 0 ? sign * m * 2 ** -24 : sign * 2 ** (e - 15) * (1 + m / 1024);
}
function bf16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 7) & 0xff;
  const m = h & 0x7f;
  if (e === 255) return m === 0 ? sign * Infinity : NaN;
  return e === 0 ? sign * m * 2 ** -133 : sign * 2 ** (e - 127) * (1 + m / 128);
}
const le16 = (...bits: number[]) => Uint8Array.from(bits.flatMap((b) => [b & 0xff, b >> 8]));
const f32Bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];

describe('F16 / BF16 widening', () => {
  it('hand-checked patterns: one, max, min normal, subnormals, zeros, infinities, NaN', () => {
    const f16 = halfToFloat32(
      le16(0x3c00, 0x7bff, 0x0400, 0x03ff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xc248),
      10,
      'F16',
    );
    expect(Array.from(f16)).toEqual([
      1,
      65504,
      2 ** -14,
      1023 * 2 ** -24,
      2 ** -24,
      -0,
      Infinity,
      -Infinity,
      NaN,
      -3.140625,
    ]);
    expect(Object.is(f16[5], -0)).toBe(true);
    const bf16 = halfToFloat32(le16(0x3f80, 0x7f7f, 0x0080, 0x0001, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0xc049), 9, 'BF16');
    expect(Array.from(bf16)).toEqual([
      1,
      (2 - 2 ** -7) * 2 ** 127,
      2 ** -126,
      2 ** -133,
      -0,
      Infinity,
      -Infinity,
      NaN,
      -3.140625,
    ]);
  });

  it('every one of the 65536 patterns of each format widens to its exact value (NaN payloads kept as NaN)', () => {
    const all = le16(...Array.from({ length: 0x10000 }, (_, i) => i));
    for (const [format, value] of [
      ['F16', f16Value],
      ['BF16', bf16Value],
    ] as const) {
      const out = halfToFloat32(all, 0x10000, format);
      for (let h = 0; h < 0x10000; h++) {
        if (!Object.is(out[h], value(h)))
          throw new Error(`${format} 0x${h.toString(16)}: got ${out[h]}, expected ${value(h)}`);
      }
    }
    // BF16 is the top half of a float32: the bits must match exactly, NaN payloads included
    const bf = new Uint32Array(halfToFloat32(all, 0x10000, 'BF16').buffer);
    for (let h = 0; h < 0x10000; h += 97) expect(bf[h]).toBe(h * 0x10000);
  });
});

describe('F16 / BF16 narrowing (round to nearest, ties to even)', () => {
  it('hand-checked values', () => {
    expect(
      [1, 65504, 65519.99, 65520, 1e6, -1e6, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -25, 1e-10, -0, NaN].map(
        (x) => toHalfBits(x, 'F16'),
      ),
    ).toEqual([0x3c00, 0x7bff, 0x7bff, 0x7c00, 0x7c00, 0xfc00, 0x0001, 0x0000, 0x0001, 0x0002, 0x0000, 0x8000, 0x7e00]);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to the even mantissa (1); 1 + 3*2^-11 ties up to 1 + 2^-9
    expect([1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1].map((x) => toHalfBits(x, 'F16'))).toEqual([0x3c00, 0x3c02, 0x2e66]);
    expect(
      [1, 0.1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, 2 ** -133, 2 ** -134, NaN].map((x) => toHalfBits(x, 'BF16')),
    ).toEqual([0x3f80, 0x3dcd, 0x3f80, 0x3f82, 0x7f80, 0x0001, 0x0000, 0x7fc0]);
  });

  it('exact values map to themselves; midpoints go to the even neighbour, anything off the midpoint to the nearer one', () => {
    for (const [format, value, maxFinite] of [
      ['F16', f16Value, 0x7bff],
      ['BF16', bf16Value, 0x7f7f],
    ] as const) {
      for (let h = 0; h < maxFinite; h++) {
        const lo = value(h);
        const hi = value(h + 1);
        const mid = (lo + hi) / 2; // exact in float64
        const even = h % 2 === 0 ? h : h + 1;
        if (
          toHalfBits(lo, format) !== h ||
          toHalfBits(mid, format) !== even ||
          toHalfBits(-mid, format) !== (even | 0x8000) ||
          toHalfBits(mid - (hi - lo) / 1024, format) !== h ||
          toHalfBits(mid + (hi - lo) / 1024, format) !== h + 1
        ) {
          throw new Error(`${format}: rounding around 0x${h.toString(16)} (${lo}) is wrong`);
        }
      }
    }
  });

  it('BF16 from a float32 equals the float32 bits rounded at bit 16 (ties to even)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        const bits = f32Bits(x);
        const lower = bits & 0xffff;
        let top = bits >>> 16;
        if (lower > 0x8000 || (lower === 0x8000 && top & 1)) top++;
        expect(toHalfBits(x, 'BF16')).toBe(top);
      }),
      { numRuns: 2000 },
    );
  });

  it('a checkpoint written as F16 / BF16 reads back to the rounded values, labelled with the stored dtype', () => {
    const data = Float32Array.from([0.1, -2.5, 1e-7, 70000, 3]);
    for (const [format, value] of [
      ['F16', f16Value],
      ['BF16', bf16Value],
    ] as const) {
      const bytes = encodeSafetensors(
        new Map([['w', { dtype: 'float32', shape: [5], data }]]),
        {},
        { floatsAs: format },
      );
      const header = JSON.parse(
        new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))),
      );
      expect(header.w).toEqual({ dtype: format, shape: [5], data_offsets: [0, 10] });
      const back = decodeSafetensors(bytes, 'w.safetensors').tensors.get('w')!;
      expect(back.dtype).toBe('float32');
      expect(Array.from(back.data)).toEqual(Array.from(data, (x) => value(toHalfBits(x, format))));
    }
  });
});
