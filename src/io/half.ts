// 16-bit floats as Hugging Face checkpoints store them: IEEE 754 binary16 ("F16") and bfloat16 ("BF16", the top
// half of a float32). Every F16 and BF16 value is exactly representable as a float32, so widening is exact;
// narrowing rounds to nearest, ties to even, once, from the exact input value (a float64 input is not rounded to
// float32 first, which could round twice).

/** The 16-bit float formats of safetensors files. */
export type HalfFormat = 'F16' | 'BF16';

interface Layout {
  mantissaBits: number;
  bias: number;
  exponentMask: number;
}

const LAYOUT: Record<HalfFormat, Layout> = {
  F16: { mantissaBits: 10, bias: 15, exponentMask: 0x1f },
  BF16: { mantissaBits: 7, bias: 127, exponentMask: 0xff },
};

let f16Table: Float32Array | null = null;

/** float32 bit pattern of the binary16 value with bits `h` (exact). */
function f16ToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return sign | 0x7f800000 | (mantissa << 13); // inf, or NaN keeping its payload
  if (exponent !== 0) return sign | ((exponent + 112) << 23) | (mantissa << 13);
  if (mantissa === 0) return sign;
  // subnormal: shift the mantissa up until its leading 1 becomes the implicit bit of a normal float32
  let e = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e--;
  }
  return sign | (e << 23) | ((mantissa & 0x3ff) << 13);
}

/** Widens little-endian 16-bit floats (`count` of them at `bytes`) to float32, exactly. */
export function halfToFloat32(bytes: Uint8Array, count: number, format: HalfFormat): Float32Array {
  const out = new Float32Array(count);
  const outBits = new Uint32Array(out.buffer);
  if (format === 'BF16') {
    for (let i = 0; i < count; i++) outBits[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
    return out;
  }
  if (!f16Table) {
    f16Table = new Float32Array(0x10000);
    const bits = new Uint32Array(f16Table.buffer);
    for (let h = 0; h < 0x10000; h++) bits[h] = f16ToF32Bits(h) >>> 0;
  }
  for (let i = 0; i < count; i++) out[i] = f16Table[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
  return out;
}

const scratch = new DataView(new ArrayBuffer(8));

/** floor(log2(a)) of a positive normal double, exactly: its exponent field, unbiased (Math.log2 may round up). */
function exponentOf(a: number): number {
  scratch.setFloat64(0, a); // big-endian: sign bit, 11 exponent bits, then the mantissa
  return (scratch.getUint16(0) >> 4) - 1023;
}

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const rest = v - floor; // exact: v < 2^53 here
  return rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
}

/** The 16-bit pattern nearest to `x` (ties to even); NaN becomes the quiet NaN, overflow becomes infinity. */
export function toHalfBits(x: number, format: HalfFormat): number {
  const { mantissaBits, bias, exponentMask } = LAYOUT[format];
  const infinity = exponentMask << mantissaBits;
  if (Number.isNaN(x)) return infinity | (1 << (mantissaBits - 1));
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  const minNormalExponent = 1 - bias;
  if (a < 2 ** minNormalExponent) {
    // subnormal range: a multiple of 2^(minNormalExponent - mantissaBits); rounding up to 2^mantissaBits
    // gives the smallest normal's pattern, as it should
    return sign | roundHalfEven(a * 2 ** (mantissaBits - minNormalExponent));
  }
  const e = exponentOf(a);
  if (e > bias) return sign | infinity; // infinity too: its exponent field reads 1024
  const m = roundHalfEven(a * 2 ** (mantissaBits - e)); // in [2^mantissaBits, 2^(mantissaBits+1)]
  // m = 2^(mantissaBits+1) carries into the exponent, and from the largest exponent into infinity
  return sign | (((e + bias) << mantissaBits) + m - (1 << mantissaBits));
}

/** Little-endian 16-bit floats nearest to `values` (ties to even). */
export function toHalfBytes(values: ArrayLike<number>, format: HalfFormat): Uint8Array {
  const out = new Uint8Array(2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const h = toHalfBits(values[i], format);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >> 8;
  }
  return out;
}
