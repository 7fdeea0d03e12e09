import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteTokenizer, padBatch, sampleWindows } from '../../src/data/index.js';
import { Rng } from '../../src/index.js';

const tok = new ByteTokenizer();

describe('ByteTokenizer', () => {
  it('round-trips every well-formed string (property, full Unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
        expect(tok.decode(tok.encode(s, { bos: true, eos: true }))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('maps text to its UTF-8 bytes and puts specials after them', () => {
    expect(tok.encode('aé€😀')).toEqual([0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    expect(tok.encode('', { bos: true, eos: true })).toEqual([256, 257]);
    expect([tok.bos, tok.eos, tok.pad, tok.vocabSize]).toEqual([256, 257, 258, 259]);
    expect([255, 256, 258, 259].map((id) => tok.isSpecial(id))).toEqual([false, true, true, false]);
    expect(tok.decode([0x68, 258, 0x69])).toBe('hi');
    expect(tok.decode([0xff])).toBe('\ufffd');
    expect(() => tok.decode([259])).toThrow(/id 259 at position 0 is outside \[0, 259\)/);
  });
});

describe('padBatch', () => {
  it('right-pads, shifts targets by one and builds the masks', () => {
    const batch = padBatch(
      [{ ids: [1, 2, 3, 4] }, { ids: [5, 6], lossMask: [0, 1] }, { ids: [7, 8, 9], lossMask: [1, 1, 0] }],
      { padId: 99 },
    );
    expect(batch.inputs.arraySync()).toEqual([
      [1, 2, 3],
      [5, 99, 99],
      [7, 8, 99],
    ]);
    expect(batch.targets.arraySync()).toEqual([
      [2, 3, 4],
      [6, 99, 99],
      [8, 9, 99],
    ]);
    expect(batch.attentionMask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
      [1, 1, 0],
    ]);
    expect(batch.lossMask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(batch.tokens).toBe(5);
    expect(batch.inputs.dtype).toBe('int32');
  });

  it('truncates to maxLength and rejects unusable examples', () => {
    expect(padBatch([{ ids: [1, 2, 3, 4, 5] }], { padId: 0, maxLength: 2 }).targets.arraySync()).toEqual([[2, 3]]);
    expect(() => padBatch([{ ids: [1] }], { padId: 0 })).toThrow(/example 0 has 1 tokens/);
    expect(() => padBatch([{ ids: [1, 2], lossMask: [1] }], { padId: 0 })).toThrow(/lossMask of length 1/);
  });

  it('samples contiguous windows reproducibly', () => {
    const stream = Array.from({ length: 100 }, (_, i) => i);
    const a = sampleWindows(stream, 4, 8, new Rng(1));
    const b = sampleWindows(stream, 4, 8, new Rng(1));
    expect(a.inputs.arraySync()).toEqual(b.inputs.arraySync());
    for (const row of a.inputs.arraySync() as number[][]) {
      expect(row).toEqual(Array.from({ length: 8 }, (_, i) => row[0] + i));
      expect(row[0]).toBeLessThanOrEqual(100 - 9);
    }
    expect((a.targets.arraySync() as number[][])[0][0]).toBe((a.inputs.arraySync() as number[][])[0][0] + 1);
    expect(() => sampleWindows([1, 2], 1, 8, new Rng(0))).toThrow(/fewer than blockSize \+ 1 = 9/);
  });
});
