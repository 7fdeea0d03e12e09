// padBatch and sampleWindows, value by value: the next-token shift, right padding, the two masks, the token count,
// truncation to maxLength, and windows that start anywhere in the stream, including at both ends.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/index.js';
import { padBatch, sampleWindows } from '../../src/data/batching.js';

describe('padBatch', () => {
  it('shifts by one, right-pads with padId, and counts only the targets the loss mask keeps', () => {
    const batch = padBatch(
      [{ ids: [1, 2, 3, 4] }, { ids: [5, 6], lossMask: [1, 0] }, { ids: [7, 8, 9], lossMask: [0, 0, 1] }],
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
      [0, 0, 0],
      [0, 1, 0],
    ]);
    expect(batch.tokens).toBe(4);
    expect([batch.inputs.dtype, batch.targets.dtype, batch.attentionMask.dtype, batch.lossMask.dtype]).toEqual([
      'int32',
      'int32',
      'float32',
      'float32',
    ]);
  });

  it('maxLength cuts every sequence to maxLength positions, and only a longer batch', () => {
    const cut = padBatch([{ ids: [1, 2, 3, 4, 5] }, { ids: [6, 7] }], { padId: 0, maxLength: 2 });
    expect(cut.inputs.arraySync()).toEqual([
      [1, 2],
      [6, 0],
    ]);
    expect(cut.targets.arraySync()).toEqual([
      [2, 3],
      [7, 0],
    ]);
    expect(cut.tokens).toBe(3);
    expect(padBatch([{ ids: [1, 2, 3] }], { padId: 0, maxLength: 10 }).inputs.shape).toEqual([1, 2]);
  });

  it('refuses an empty batch, a one-token example and a loss mask of the wrong length', () => {
    expect(() => padBatch([], { padId: 0 })).toThrow('padBatch: no examples');
    expect(() => padBatch([{ ids: [1, 2] }, { ids: [3] }], { padId: 0 })).toThrow(
      'padBatch: example 1 has 1 tokens; next-token training needs at least 2',
    );
    expect(() => padBatch([{ ids: [1, 2], lossMask: [1, 1, 1] }], { padId: 0 })).toThrow(
      'padBatch: example 0 has 2 ids but a lossMask of length 3',
    );
    expect(padBatch([{ ids: [1, 2], lossMask: [0, 1] }], { padId: 0 }).tokens).toBe(1);
  });
});

describe('sampleWindows', () => {
  it('takes blockSize + 1 consecutive tokens from anywhere in the stream, both ends included', () => {
    const stream = Array.from({ length: 12 }, (_, i) => 100 + i);
    const rng = new Rng(5);
    const starts = new Set<number>();
    for (let k = 0; k < 40; k++) {
      const batch = sampleWindows(stream, 4, 3, rng);
      expect(batch.inputs.shape).toEqual([4, 3]);
      const inputs = batch.inputs.arraySync() as number[][];
      const targets = batch.targets.arraySync() as number[][];
      inputs.forEach((row, b) => {
        const start = row[0] - 100;
        starts.add(start);
        expect(row).toEqual([0, 1, 2].map((i) => 100 + start + i));
        expect(targets[b]).toEqual([1, 2, 3].map((i) => 100 + start + i));
      });
      expect(batch.tokens).toBe(12);
    }
    // 12 tokens, windows of 4: starts 0..8, all of them seen in 160 draws
    expect([...starts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a stream of exactly blockSize + 1 tokens has one window; a shorter one is an error', () => {
    expect(sampleWindows([1, 2, 3], 2, 2, new Rng(0)).inputs.arraySync()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(() => sampleWindows([1, 2], 1, 2, new Rng(0))).toThrow(
      'sampleWindows: the stream has 2 tokens, fewer than blockSize + 1 = 3',
    );
  });
});
