import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  MAX_HEADER_BYTES,
  type ByteSource,
  type RawTensor,
} from '../../src/io/index.js';

/** A safetensors file assembled by hand: header JSON text and data bytes given explicitly. */
function handMade(header: object | string, data: number[] = [], lengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, lengthOverride ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const f32le = (...xs: number[]) =>
  xs.flatMap((x) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    return [...b];
  });

describe('safetensors writer', () => {
  it('writes the documented layout (checked by an independent DataView parser)', () => {
    const tensors = new Map<string, RawTensor>([
      ['a', { dtype: 'float32', shape: [2], data: Float32Array.from([1.5, -2]) }],
      ['b', { dtype: 'float64', shape: [1, 1], data: Float64Array.from([Math.PI]) }],
      ['c', { dtype: 'int32', shape: [], data: Int32Array.from([-7]) }],
    ]);
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0); // data section aligned
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header.b).toEqual({ dtype: 'F64', shape: [1, 1], data_offsets: [8, 16] });
    expect(header.c).toEqual({ dtype: 'I32', shape: [], data_offsets: [16, 20] });
    expect(header.__metadata__.format).toBe('pt');
    expect(header.__metadata__.slimegrad_crc32).toMatch(/^[0-9a-f]{8}$/);
    const d = 8 + n;
    expect(bytes.length).toBe(d + 20);
    expect([view.getFloat32(d, true), view.getFloat32(d + 4, true)]).toEqual([1.5, -2]);
    expect(view.getFloat64(d + 8, true)).toBe(Math.PI);
    expect(view.getInt32(d + 16, true)).toBe(-7);
  });

  it('round-trips values bit for bit', () => {
    const data = Float32Array.from([0, -0, 1e-45, 3.4e38, -1.17549435e-38, 0.1]);
    const back = decodeSafetensors(
      encodeSafetensors(new Map([['x', { dtype: 'float32', shape: [3, 2], data }]])),
      'x.safetensors',
    );
    const x = back.tensors.get('x')!;
    expect(x.shape).toEqual([3, 2]);
    expect(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength)).toEqual(new Uint8Array(data.buffer));
  });
});

describe('safetensors reader', () => {
  it('reads a hand-made file with metadata and no checksum', () => {
    const file = handMade(
      { __metadata__: { note: 'hi' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } },
      f32le(0.5, 4),
    );
    const { tensors, metadata } = decodeSafetensors(file, 'w.safetensors');
    expect(metadata).toEqual({ note: 'hi' });
    expect(Array.from(tensors.get('w')!.data)).toEqual([0.5, 4]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['truncated before the length', new Uint8Array(5), /truncated: 5 bytes/],
    ['header length past the end', handMade({}, [], 999), /header length 999 does not fit/],
    ['header not JSON', handMade('{"a": [1,'), /not valid UTF-8 JSON/],
    ['header not an object', handMade('[1, 2]'), /must be a JSON object/],
    [
      'unknown dtype',
      handMade({ w: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, f32le(1)),
      /tensor 'w' has unknown dtype "F33"/,
    ],
    [
      'unsupported known dtype',
      handMade({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, f32le(1, 2)),
      /dtype I64, which slimegrad does not read/,
    ],
    [
      'offsets out of range',
      handMade({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32le(1)),
      /data_offsets \[0, 8\] lie outside the 4-byte data section/,
    ],
    [
      'shape/size mismatch',
      handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32le(1, 2)),
      /shape \[3\] F32 needs 12 bytes but data_offsets \[0, 8\] span 8/,
    ],
    [
      'overlapping tensors',
      handMade(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        f32le(1, 2),
      ),
      /overlap/,
    ],
    [
      'a hole',
      handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32le(1, 2)),
      /bytes \[0, 4\) of the data section belong to no tensor/,
    ],
    [
      'trailing bytes',
      handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32le(1, 2)),
      /has 8 bytes but the tensors cover 4/,
    ],
    [
      'negative shape',
      handMade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32le(1)),
      /shape must be an array of non-negative integers/,
    ],
    ['bad metadata', handMade({ __metadata__: { n: 1 } }), /"__metadata__" must map strings to strings/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`rejects ${what}, naming the file`, () => {
      expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(message);
      expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(/^bad\.safetensors: /);
    });
  }

  it('detects corrupted data and swapped names through the checksum', () => {
    const tensors = new Map<string, RawTensor>([
      ['p', { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) }],
      ['q', { dtype: 'float32', shape: [2], data: Float32Array.from([3, 4]) }],
    ]);
    const good = encodeSafetensors(tensors);
    const flipped = good.slice();
    flipped[flipped.length - 1] ^= 1;
    expect(() => decodeSafetensors(flipped, 'c.safetensors')).toThrow(/c\.safetensors: checksum mismatch/);
    // same-length names, so the header can be edited in place: "p" <-> "q"
    const swapped = good.slice();
    const header = new TextDecoder().decode(good.subarray(8, 8 + new DataView(good.buffer).getUint32(0, true)));
    swapped[8 + header.indexOf('"p"') + 1] = 'q'.charCodeAt(0);
    swapped[8 + header.indexOf('"q"') + 1] = 'p'.charCodeAt(0);
    expect(() => decodeSafetensors(swapped, 'c.safetensors')).toThrow(/checksum mismatch/);
  });
});

describe('safetensors reader under hostile input (issue 12, defects 6 and 9)', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  for (const field of ['shape', 'data_offsets', 'dtype']) {
    it(`a 100k-deep nesting in '${field}' is a clear error, not a stack overflow`, () => {
      const entry: Record<string, string> = {
        dtype: '"F32"',
        shape: '[1]',
        data_offsets: '[0, 4]',
        [field]: deep(100_000),
      };
      const text = `{"w": {${Object.entries(entry)
        .map(([k, v]) => `"${k}": ${v}`)
        .join(', ')}}}`;
      const bytes = handMade(text, f32le(1));
      let error: unknown;
      try {
        decodeSafetensors(bytes, 'deep.safetensors');
      } catch (e) {
        error = e;
      }
      expect((error as Error).constructor).toBe(Error);
      expect((error as Error).message).toMatch(/^deep\.safetensors: the header nests deeper than 3 levels at byte \d+/);
    });
  }

  it('brackets inside strings (names, metadata) do not count as nesting', () => {
    const bytes = handMade(
      { __metadata__: { note: '[[[[{{{{' }, 'a[[[[': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      f32le(2),
    );
    expect(Array.from(decodeSafetensors(bytes, 'n.safetensors').tensors.get('a[[[[')!.data)).toEqual([2]);
  });

  /** A ByteSource over bytes that records every range read. */
  const recording = (bytes: Uint8Array, size = bytes.length) => {
    const reads: [number, number][] = [];
    const source: ByteSource = {
      size,
      read: async (position, length) => {
        reads.push([position, length]);
        const out = new Uint8Array(length); // a fresh, aligned buffer as a file read gives
        out.set(bytes.subarray(position, position + length));
        return out;
      },
    };
    return { source, reads };
  };

  it('checks the 8-byte length against the file size before reading anything more', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256);
    const { source, reads } = recording(garbage, 1.5 * 2 ** 30); // claims to be a 1.5 GiB file
    await expect(readSafetensors(source, 'junk.bin')).rejects.toThrow(
      /^junk\.bin: header length \d+ does not fit the file|exceeds/,
    );
    expect(reads).toEqual([[0, 8]]);
    const hugeHeader = handMade({}, [], 0);
    new DataView(hugeHeader.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    const big = recording(hugeHeader, 2 ** 33); // an 8 GiB "file" whose header would be 100 MB
    await expect(readSafetensors(big.source, 'big.safetensors')).rejects.toThrow(
      /header length 100000001 exceeds 100000000 bytes/,
    );
    expect(big.reads).toEqual([[0, 8]]);
  });

  it('reads by ranges: the header once, then each tensor once, into arrays that are the buffers read (no copy)', async () => {
    const tensors = new Map<string, RawTensor>([
      ['z', { dtype: 'float32', shape: [3], data: Float32Array.from([1, 2, 3]) }],
      ['a', { dtype: 'float64', shape: [2], data: Float64Array.from([Math.E, -1]) }],
      ['i', { dtype: 'int32', shape: [1], data: Int32Array.from([-5]) }],
    ]);
    const bytes = encodeSafetensors(tensors);
    const { source, reads } = recording(bytes);
    const buffers: ArrayBufferLike[] = [];
    const watched: ByteSource = {
      size: source.size,
      read: async (p, n) => {
        const b = await source.read(p, n);
        buffers.push(b.buffer);
        return b;
      },
    };
    const back = await readSafetensors(watched, 'r.safetensors');
    expect([...back.tensors.keys()]).toEqual(['z', 'a', 'i']); // header order
    for (const [name, t] of tensors) {
      expect(Array.from(back.tensors.get(name)!.data)).toEqual(Array.from(t.data));
      expect(buffers).toContain(back.tensors.get(name)!.data.buffer);
    }
    const total = reads.reduce((s, [, n]) => s + n, 0);
    expect(total).toBe(bytes.length); // every byte read exactly once
    expect(reads.slice(0, 2)).toEqual([
      [0, 8],
      [8, reads[1][1]],
    ]);
    // a damaged tensor is caught by the checksum on this path too
    const damaged = bytes.slice();
    damaged[damaged.length - 1] ^= 4;
    await expect(readSafetensors(recording(damaged).source, 'r.safetensors')).rejects.toThrow(
      /r\.safetensors: checksum mismatch/,
    );
  });

  it('in-memory decoding views the bytes instead of copying them when aligned', () => {
    const bytes = encodeSafetensors(
      new Map([['w', { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) }]]),
    );
    expect(decodeSafetensors(bytes, 'v.safetensors').tensors.get('w')!.data.buffer).toBe(bytes.buffer);
  });
});
