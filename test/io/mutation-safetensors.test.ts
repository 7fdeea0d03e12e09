// The safetensors reader and writer at their edges, written against surviving mutants: every refusal's full
// message (the project promises errors that name the file and the problem), the boundary cases each check must let
// through (an empty file, zero-size tensors, a header of exactly the largest accepted length), and the checksum
// compared with node:zlib's CRC-32, an implementation independent of src/io/crc32.ts.

import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  headerLengthOf,
  MAX_HEADER_BYTES,
  readSafetensors,
  tensorFromBytes,
  type ByteSource,
  type RawTensor,
} from '../../src/io/index.js';
import { Crc32 } from '../../src/io/crc32.js';
import { swapBytes } from '../../src/io/safetensors.js';

/** A safetensors file assembled by hand: header JSON text and data bytes given explicitly. */
function handMade(header: object | string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const f32le = (...xs: number[]): number[] => [...new Uint8Array(Float32Array.from(xs).buffer)];
const source = (bytes: Uint8Array): ByteSource => ({
  size: bytes.length,
  read: async (position, length) => bytes.slice(position, position + length),
});
/** The message of the error `f` throws (fails the test if it throws none). */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
const hex = (n: number) => n.toString(16).padStart(8, '0');
/** The documented checksum, by node:zlib: CRC-32 of `name \0 dtype \0 shape \0 bytes` of each tensor, name order. */
function zlibChecksum(entries: [string, string, number[], number[]][]): string {
  const parts = [...entries]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([name, dtype, shape, bytes]) => [
      ...new TextEncoder().encode(`${name}\0${dtype}\0${shape.join(',')}\0`),
      ...bytes,
    ]);
  return hex(crc32(Uint8Array.from(parts)));
}
const SUPPORTED = '(supported: F32, F64, I32, F16, BF16)';

describe('CRC-32', () => {
  it('matches the standard check value and node:zlib on every byte value, fed whole or in pieces', () => {
    expect(new Crc32().update(new TextEncoder().encode('123456789')).hex()).toBe('cbf43926');
    expect(new Crc32().hex()).toBe('00000000');
    const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256);
    expect(new Crc32().update(all).hex()).toBe(hex(crc32(all)));
    expect(new Crc32().update(all.subarray(0, 100)).update(all.subarray(100)).hex()).toBe(hex(crc32(all)));
    expect(new Crc32().update(Uint8Array.of(0)).hex()).toBe('d202ef8d'); // leading zero kept by padStart
  });
});

describe('safetensors checksum', () => {
  it('is the CRC-32 of name, dtype, shape and bytes of every tensor in name order', () => {
    const tensors = new Map<string, RawTensor>([
      ['b', { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) }],
      ['a', { dtype: 'int32', shape: [1, 1], data: Int32Array.from([-3]) }],
      ['c', { dtype: 'float64', shape: [], data: Float64Array.from([0.5]) }],
    ]);
    const bytes = encodeSafetensors(tensors);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({
      slimegrad_crc32: zlibChecksum([
        ['b', 'F32', [2], f32le(1, 2)],
        ['a', 'I32', [1, 1], [253, 255, 255, 255]],
        ['c', 'F64', [], [...new Uint8Array(Float64Array.of(0.5).buffer)]],
      ]),
    });
  });

  it('a hand-made file in non-alphabetical order with the right checksum loads; a wrong one is refused', async () => {
    const entries: [string, string, number[], number[]][] = [
      ['z', 'F32', [1], f32le(3)],
      ['m', 'F32', [1], f32le(-1)],
      ['a', 'F32', [1], f32le(7)],
    ];
    const header = (sum: string) => ({
      __metadata__: { slimegrad_crc32: sum },
      z: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      m: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      a: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    });
    const good = handMade(header(zlibChecksum(entries)), f32le(3, -1, 7));
    const decoded = decodeSafetensors(good, 'g.safetensors');
    expect([...decoded.tensors].map(([k, t]) => [k, ...t.data])).toEqual([
      ['z', 3],
      ['m', -1],
      ['a', 7],
    ]);
    const read = await readSafetensors(source(good), 'g.safetensors');
    expect([...read.tensors].map(([k, t]) => [k, ...t.data])).toEqual([
      ['z', 3],
      ['m', -1],
      ['a', 7],
    ]);
    const bad = handMade(header('00000000'), f32le(3, -1, 7));
    expect(messageOf(() => decodeSafetensors(bad, 'b.safetensors'))).toBe(
      `b.safetensors: checksum mismatch (slimegrad_crc32 says 00000000, contents give ${zlibChecksum(entries)}): ` +
        'the file is corrupted',
    );
  });
});

describe('safetensors writer', () => {
  it('refuses a tensor named "__metadata__" and a shape that does not match the values, with full messages', () => {
    const t: RawTensor = { dtype: 'float32', shape: [2], data: new Float32Array(2) };
    expect(messageOf(() => encodeSafetensors(new Map([['__metadata__', t]])))).toBe(
      'encodeSafetensors: "__metadata__" is reserved and cannot name a tensor',
    );
    const wrong: RawTensor = { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) };
    expect(messageOf(() => encodeSafetensors(new Map([['w', wrong]])))).toBe(
      "encodeSafetensors: tensor 'w' has shape [2,3] but 5 values",
    );
  });

  it('stores int32 as I32 whatever floatsAs says, and float64 as F32 when asked (rounded once)', () => {
    const tensors = new Map<string, RawTensor>([
      ['i', { dtype: 'int32', shape: [2], data: Int32Array.from([70000, -1]) }],
      ['d', { dtype: 'float64', shape: [1], data: Float64Array.from([0.1]) }],
    ]);
    for (const floatsAs of ['F16', 'BF16', 'F32'] as const) {
      const back = decodeSafetensors(encodeSafetensors(tensors, {}, { floatsAs }), 'x');
      expect(back.tensors.get('i')).toEqual({ dtype: 'int32', shape: [2], data: Int32Array.from([70000, -1]) });
      expect(back.tensors.get('d')!.dtype).toBe('float32');
    }
    const f32 = decodeSafetensors(encodeSafetensors(tensors, {}, { floatsAs: 'F32' }), 'x');
    expect(Array.from(f32.tensors.get('d')!.data)).toEqual([Math.fround(0.1)]);
    const own = decodeSafetensors(encodeSafetensors(tensors), 'x');
    expect(own.tensors.get('d')).toEqual({ dtype: 'float64', shape: [1], data: Float64Array.from([0.1]) });
  });

  it('pads the header with spaces to a multiple of 8 bytes, and not at all when it already is one', () => {
    for (const name of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      const bytes = encodeSafetensors(
        new Map([[name, { dtype: 'float32', shape: [1], data: Float32Array.of(1) } as RawTensor]]),
      );
      const n = new DataView(bytes.buffer).getUint32(0, true);
      const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(n % 8).toBe(0);
      expect(text.trimEnd().length).toBeGreaterThan(n - 8); // fewer than 8 spaces
      expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
      expect(text.trimEnd().endsWith('}')).toBe(true);
    }
  });
});

describe('safetensors length field', () => {
  it('accepts the smallest file (header "{}", no data) and a header filling the file exactly', async () => {
    const empty = handMade('{}');
    expect(empty.length).toBe(10);
    expect(decodeSafetensors(empty, 'e')).toEqual({ tensors: new Map(), metadata: {} });
    expect(await readSafetensors(source(empty), 'e')).toEqual({ tensors: new Map(), metadata: {} });
    expect(headerLengthOf(empty.subarray(0, 8), 10, 'e')).toBe(2);
  });

  it('refuses lengths below 2 or past the end, and short files, with full messages', async () => {
    const tail = ' bytes follow the length field): truncated file, wrong header length, or not a safetensors file';
    const withLength = (length: number, size: number) => {
      const b = new Uint8Array(size);
      new DataView(b.buffer).setUint32(0, length, true);
      return b;
    };
    expect(messageOf(() => decodeSafetensors(withLength(1, 12), 'f'))).toBe(
      `f: header length 1 does not fit the file (4${tail}`,
    );
    expect(messageOf(() => decodeSafetensors(withLength(0, 12), 'f'))).toBe(
      `f: header length 0 does not fit the file (4${tail}`,
    );
    expect(messageOf(() => decodeSafetensors(withLength(5, 12), 'f'))).toBe(
      `f: header length 5 does not fit the file (4${tail}`,
    );
    // exactly 8 bytes: the length field is there, nothing after it
    expect(messageOf(() => decodeSafetensors(withLength(2, 8), 'f'))).toBe(
      `f: header length 2 does not fit the file (0${tail}`,
    );
    await expect(readSafetensors(source(withLength(2, 8)), 'f')).rejects.toThrow(
      `f: header length 2 does not fit the file (0${tail}`,
    );
    const truncated = 'f: truncated: 7 bytes, but a safetensors file starts with an 8-byte header length';
    expect(messageOf(() => decodeSafetensors(new Uint8Array(7), 'f'))).toBe(truncated);
    await expect(readSafetensors(source(new Uint8Array(7)), 'f')).rejects.toThrow(truncated);
    // a file size that claims more than the 8 bytes given still cannot be read from fewer
    expect(messageOf(() => headerLengthOf(new Uint8Array(7), 100, 'f'))).toBe(
      'f: truncated: 100 bytes, but a safetensors file starts with an 8-byte header length',
    );
  });

  it('accepts a header of exactly MAX_HEADER_BYTES and refuses one byte more, with the full message', () => {
    const first8 = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      return b;
    };
    expect(headerLengthOf(first8(MAX_HEADER_BYTES), 2 ** 33, 'big')).toBe(MAX_HEADER_BYTES);
    expect(messageOf(() => headerLengthOf(first8(MAX_HEADER_BYTES + 1), 2 ** 33, 'big'))).toBe(
      'big: header length 100000001 exceeds 100000000 bytes: not a safetensors file, or a damaged one',
    );
  });
});

describe('safetensors header checks: full messages', () => {
  const w = (fields: Record<string, unknown>) => ({
    w: { dtype: 'F32', shape: [1], data_offsets: [0, 4], ...fields },
  });
  const cases: [string, object | string, number[], string][] = [
    ['an array header', '[1, 2]', [], 'the header must be a JSON object'],
    ['a null header', 'null', [], 'the header must be a JSON object'],
    ['a number header', '57', [], 'the header must be a JSON object'],
    ['metadata as a list', { __metadata__: ['a'] }, [], '"__metadata__" must map strings to strings'],
    ['metadata as a string', { __metadata__: 'a' }, [], '"__metadata__" must map strings to strings'],
    ['metadata null', { __metadata__: null }, [], '"__metadata__" must map strings to strings'],
    ['metadata with a number', { __metadata__: { a: 'x', b: 2 } }, [], '"__metadata__" must map strings to strings'],
    [
      'an entry that is a number',
      { w: 5 },
      [],
      "tensor 'w': entry must be an object with dtype, shape and data_offsets",
    ],
    [
      'an entry that is null',
      { w: null },
      [],
      "tensor 'w': entry must be an object with dtype, shape and data_offsets",
    ],
    [
      'an entry that is a list',
      { w: [] },
      [],
      "tensor 'w': entry must be an object with dtype, shape and data_offsets",
    ],
    ['a numeric dtype', w({ dtype: 5 }), f32le(1), "tensor 'w': dtype must be a string, got 5"],
    ['no dtype', w({ dtype: undefined }), f32le(1), "tensor 'w': dtype must be a string, got undefined"],
    ['an unknown dtype', w({ dtype: 'F33' }), f32le(1), `tensor 'w' has unknown dtype "F33" ${SUPPORTED}`],
    [
      'an inherited property as dtype',
      w({ dtype: 'toString' }),
      f32le(1),
      `tensor 'w' has unknown dtype "toString" ${SUPPORTED}`,
    ],
    [
      'a long unknown dtype (shown cut to 80 characters)',
      w({ dtype: 'X'.repeat(79) }),
      f32le(1),
      `tensor 'w' has unknown dtype "${'X'.repeat(76)}... ${SUPPORTED}`,
    ],
    [
      'an unknown dtype of exactly 80 characters as JSON (shown whole)',
      w({ dtype: 'Y'.repeat(78) }),
      f32le(1),
      `tensor 'w' has unknown dtype "${'Y'.repeat(78)}" ${SUPPORTED}`,
    ],
    [
      'a shape that is a number',
      w({ shape: 3 }),
      f32le(1),
      "tensor 'w': shape must be an array of non-negative integers, got 3",
    ],
    [
      'no shape',
      w({ shape: undefined }),
      f32le(1),
      "tensor 'w': shape must be an array of non-negative integers, got undefined",
    ],
    [
      'a fractional shape',
      w({ shape: [1.5] }),
      f32le(1),
      "tensor 'w': shape must be an array of non-negative integers, got [1.5]",
    ],
    [
      'a negative shape',
      w({ shape: [2, -1] }),
      f32le(1),
      "tensor 'w': shape must be an array of non-negative integers, got [2,-1]",
    ],
    [
      'one offset',
      w({ data_offsets: [0] }),
      f32le(1),
      "tensor 'w': data_offsets must be [begin, end] non-negative integers, got [0]",
    ],
    [
      'three offsets',
      w({ data_offsets: [0, 4, 4] }),
      f32le(1),
      "tensor 'w': data_offsets must be [begin, end] non-negative integers, got [0,4,4]",
    ],
    [
      'offsets as a string',
      w({ data_offsets: '0,4' }),
      f32le(1),
      'tensor \'w\': data_offsets must be [begin, end] non-negative integers, got "0,4"',
    ],
    [
      'a negative offset',
      w({ data_offsets: [-4, 0] }),
      f32le(1),
      "tensor 'w': data_offsets must be [begin, end] non-negative integers, got [-4,0]",
    ],
    [
      'a fractional offset',
      w({ data_offsets: [0, 4.5] }),
      f32le(1),
      "tensor 'w': data_offsets must be [begin, end] non-negative integers, got [0,4.5]",
    ],
    [
      'reversed offsets',
      w({ data_offsets: [4, 0] }),
      f32le(1, 2),
      "tensor 'w': data_offsets [4, 0] lie outside the 8-byte data section",
    ],
    [
      'offsets past the data',
      w({ data_offsets: [4, 12] }),
      f32le(1, 2),
      "tensor 'w': data_offsets [4, 12] lie outside the 8-byte data section",
    ],
    [
      'a size mismatch',
      w({ shape: [2, 2] }),
      f32le(1),
      "tensor 'w': shape [2,2] F32 needs 16 bytes but data_offsets [0, 4] span 4",
    ],
    [
      'an F16 size mismatch',
      w({ dtype: 'F16', shape: [3] }),
      f32le(1),
      "tensor 'w': shape [3] F16 needs 6 bytes but data_offsets [0, 4] span 4",
    ],
    [
      'an F64 size mismatch',
      w({ dtype: 'F64' }),
      f32le(1),
      "tensor 'w': shape [1] F64 needs 8 bytes but data_offsets [0, 4] span 4",
    ],
    [
      'overlapping tensors',
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
      f32le(1, 2),
      "tensor 'b': data_offsets [4, 8] overlap the previous tensor (which ends at 8)",
    ],
    [
      'a hole',
      { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
      f32le(1, 2),
      "bytes [0, 4) of the data section belong to no tensor (before 'a')",
    ],
    [
      'a hole between two tensors',
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } },
      f32le(1, 2, 3),
      "bytes [4, 8) of the data section belong to no tensor (before 'b')",
    ],
    [
      'trailing bytes',
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      f32le(1, 2),
      'the data section has 8 bytes but the tensors cover 4: truncated or trailing bytes',
    ],
    [
      'data and no tensors',
      '{}',
      f32le(1),
      'the data section has 4 bytes but the tensors cover 0: truncated or trailing bytes',
    ],
    [
      'nesting four deep',
      '{"w":{"shape":[[1]]}}',
      [],
      'the header nests deeper than 3 levels at byte 23 (a safetensors header is an object of tensor entries whose ' +
        'shape and data_offsets are flat arrays): damaged or not a safetensors file',
    ],
  ];
  for (const [what, header, data, problem] of cases) {
    it(`refuses ${what}`, () => {
      expect(messageOf(() => decodeSafetensors(handMade(header, data), 'bad.safetensors'))).toBe(
        `bad.safetensors: ${problem}`,
      );
    });
  }

  it('names every dtype the format defines but slimegrad does not read', () => {
    for (const dtype of ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'U32', 'I64', 'U64']) {
      expect(messageOf(() => decodeSafetensors(handMade(w({ dtype }), f32le(1)), 'k'))).toBe(
        `k: tensor 'w' has dtype ${dtype}, which slimegrad does not read ${SUPPORTED}`,
      );
    }
  });

  it('refuses invalid UTF-8 even inside a string, and JSON errors, giving the header size', () => {
    const json = new TextEncoder().encode('{"__metadata__":{"a":"?"}}');
    json[json.indexOf('?'.charCodeAt(0))] = 0xff;
    const raw = new Uint8Array(8 + json.length);
    new DataView(raw.buffer).setUint32(0, json.length, true);
    raw.set(json, 8);
    expect(messageOf(() => decodeSafetensors(raw, 'u'))).toMatch(
      /^u: the 26-byte header is not valid UTF-8 JSON \(.+\)$/,
    );
    expect(messageOf(() => decodeSafetensors(handMade('{"a": [1,'), 'j'))).toMatch(
      /^j: the 9-byte header is not valid UTF-8 JSON \(.+\)$/,
    );
  });
});

describe('safetensors edge cases that must load', () => {
  it('zero-size tensors, also sharing an offset with the next tensor, in any header order', () => {
    const file = handMade(
      {
        w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        e: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
        z: { dtype: 'F64', shape: [2, 0], data_offsets: [4, 4] },
      },
      f32le(5),
    );
    const { tensors } = decodeSafetensors(file, 'z');
    expect([...tensors].map(([k, t]) => [k, t.shape, Array.from(t.data)])).toEqual([
      ['w', [1], [5]],
      ['e', [0], []],
      ['z', [2, 0], []],
    ]);
  });

  it('quotes escaped inside names do not end the string for the nesting check', () => {
    const name = 'a"[[[[\\';
    const file = handMade({ [name]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32le(9));
    expect(Array.from(decodeSafetensors(file, 'q').tensors.get(name)!.data)).toEqual([9]);
  });

  it('tensorFromBytes views aligned bytes of each dtype, copies misaligned ones, and widens F16 / BF16', () => {
    const entry = (fileDtype: string, dtype: 'float32' | 'float64' | 'int32', shape: number[]) => ({
      name: 't',
      fileDtype,
      dtype,
      shape,
      begin: 0,
      end: 0,
    });
    const buffer = new ArrayBuffer(24);
    const f64 = new Float64Array(buffer, 8, 1);
    f64[0] = -2.5;
    const asF64 = tensorFromBytes(entry('F64', 'float64', [1]), new Uint8Array(buffer, 8, 8));
    expect(asF64.data).toBeInstanceOf(Float64Array);
    expect(asF64.data.buffer).toBe(buffer);
    expect(Array.from(asF64.data)).toEqual([-2.5]);
    new Int32Array(buffer, 4, 1)[0] = -9;
    const asI32 = tensorFromBytes(entry('I32', 'int32', [1]), new Uint8Array(buffer, 4, 4));
    expect(asI32).toEqual({ dtype: 'int32', shape: [1], data: Int32Array.of(-9) });
    expect(asI32.data.buffer).toBe(buffer);
    new Float32Array(buffer, 4, 1)[0] = 0.75;
    const asF32 = tensorFromBytes(entry('F32', 'float32', [1]), new Uint8Array(buffer, 4, 4));
    expect(asF32).toEqual({ dtype: 'float32', shape: [1], data: Float32Array.of(0.75) });
    expect(asF32.data.buffer).toBe(buffer);
    // a float64 at a 4-byte (not 8-byte) offset, and a float32 at an odd one: copied into a fresh array
    const odd = new Uint8Array(21);
    odd.set(new Uint8Array(Float64Array.of(1.25).buffer), 4);
    odd.set(new Uint8Array(Float32Array.of(-3).buffer), 13);
    const moved64 = tensorFromBytes(entry('F64', 'float64', [1]), odd.subarray(4, 12));
    expect(moved64).toEqual({ dtype: 'float64', shape: [1], data: Float64Array.of(1.25) });
    expect(moved64.data.buffer).not.toBe(odd.buffer);
    const moved32 = tensorFromBytes(entry('F32', 'float32', [1]), odd.subarray(13, 17));
    expect(moved32).toEqual({ dtype: 'float32', shape: [1], data: Float32Array.of(-3) });
    // 1.0 and -2.0 in each 16-bit format
    expect(tensorFromBytes(entry('F16', 'float32', [2]), Uint8Array.of(0x00, 0x3c, 0x00, 0xc0))).toEqual({
      dtype: 'float32',
      shape: [2],
      data: Float32Array.of(1, -2),
    });
    expect(tensorFromBytes(entry('BF16', 'float32', [2]), Uint8Array.of(0x80, 0x3f, 0x00, 0xc0))).toEqual({
      dtype: 'float32',
      shape: [2],
      data: Float32Array.of(1, -2),
    });
  });
});

describe('safetensors survivors of the first mutation run', () => {
  it('never reads past the end of a source shorter than the length field', async () => {
    const bytes = Uint8Array.of(1, 2, 3, 4, 5);
    const strict: ByteSource = {
      size: bytes.length,
      read: async (position, length) => {
        if (position + length > bytes.length) throw new Error(`read past the end: ${position} + ${length}`);
        return bytes.slice(position, position + length);
      },
    };
    await expect(readSafetensors(strict, 's')).rejects.toThrow(
      new Error('s: truncated: 5 bytes, but a safetensors file starts with an 8-byte header length'),
    );
  });

  it('headerLengthOf trusts the file size over the bytes it is given', () => {
    const first8 = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0);
    expect(messageOf(() => headerLengthOf(first8, 5, 'h'))).toBe(
      'h: truncated: 5 bytes, but a safetensors file starts with an 8-byte header length',
    );
  });

  it('a header listing tensors out of offset order loads, and a size mismatch not at offset 0 gives its span', () => {
    const file = handMade(
      {
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        c: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      },
      f32le(1, 2, 3),
    );
    expect([...decodeSafetensors(file, 'o').tensors].map(([k, t]) => [k, ...t.data])).toEqual([
      ['b', 3],
      ['c', 2],
      ['a', 1],
    ]);
    const mismatch = handMade(
      {
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [3], data_offsets: [4, 12] },
      },
      f32le(1, 2, 3),
    );
    expect(messageOf(() => decodeSafetensors(mismatch, 'm'))).toBe(
      "m: tensor 'b': shape [3] F32 needs 12 bytes but data_offsets [4, 12] span 8",
    );
  });

  it('swapBytes reverses each value (the path big-endian hosts take)', () => {
    expect(Array.from(swapBytes(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 4))).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    expect(Array.from(swapBytes(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 8))).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(Array.from(swapBytes(new Uint8Array(0), 4))).toEqual([]);
  });
});
