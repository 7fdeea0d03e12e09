// From logits to per-token log-probs, batches of (prompt, chosen, rejected), and cached reference log-probs.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gradcheck, isGradEnabled, tensor, type Tensor } from '../../src/index.js';
import {
  buildPreferenceBatch,
  referenceLogps,
  ReferenceCache,
  sequenceLogps,
  tokenLogps,
} from '../../src/losses/index.js';

describe('tokenLogps / sequenceLogps', () => {
  it('equal a plain-JS log-softmax of the target entry, and their gradient checks out', () => {
    const arb = fc
      .record({
        b: fc.integer({ min: 1, max: 2 }),
        t: fc.integer({ min: 1, max: 3 }),
        v: fc.integer({ min: 2, max: 5 }),
      })
      .chain(({ b, t, v }) =>
        fc.record({
          logits: fc.array(fc.double({ min: -20, max: 20, noNaN: true }), {
            minLength: b * t * v,
            maxLength: b * t * v,
          }),
          targets: fc.array(fc.integer({ min: 0, max: v - 1 }), { minLength: b * t, maxLength: b * t }),
          shape: fc.constant([b, t, v]),
        }),
      );
    fc.assert(
      fc.property(arb, ({ logits, targets, shape }) => {
        const [b, t, v] = shape;
        const x = tensor(logits, { shape, dtype: 'float64' });
        const y = tensor(Int32Array.from(targets), { shape: [b, t] });
        const got = tokenLogps(x, y).dataSync();
        for (let i = 0; i < b * t; i++) {
          const row = logits.slice(i * v, (i + 1) * v);
          const m = Math.max(...row);
          const lse = m + Math.log(row.reduce((a, z) => a + Math.exp(z - m), 0));
          expect(got[i]).toBeCloseTo(row[targets[i]] - lse, 10);
        }
        const r = gradcheck((z: Tensor) => tokenLogps(z, y), [x]);
        expect(r.ok, r.message).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it('sum and mean over the mask; an empty row and a bad target are errors', () => {
    const s = sequenceLogps(
      tensor(
        [
          [-1, -2, -100],
          [-4, 0, 0],
        ],
        { dtype: 'float64' },
      ),
      tensor(
        [
          [1, 1, 0],
          [1, 0, 0],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(Array.from(s.sum.dataSync())).toEqual([-3, -4]);
    expect(Array.from(s.mean.dataSync())).toEqual([-1.5, -4]);
    expect(() => sequenceLogps(tensor([[-1, -2]]), tensor([[0, 0]]))).toThrow(/row 0 .* has no completion tokens/);
    expect(() => tokenLogps(tensor([[[0, 0, 0]]]), tensor(Int32Array.from([3]), { shape: [1, 1] }))).toThrow(
      /target id 3 .* outside the vocabulary \[0, 3\)/,
    );
  });

  it('shape and id mistakes name the expected and the received shapes', () => {
    const logits = tensor([[[0, 0, 0]], [[0, 0, 0]]]); // [2, 1, 3]
    const ids = (v: number[], shape: number[]): Tensor => tensor(Int32Array.from(v), { shape });
    expect(() => tokenLogps(tensor([[0, 0, 0]]), ids([0], [1, 1]))).toThrow(
      'tokenLogps: logits must be [B, T, V], got [1,3]',
    );
    expect(() => tokenLogps(logits, tensor([[0], [1]]))).toThrow(
      'tokenLogps: targets must be int32 token ids, got float32 [2,1]',
    );
    const wrongShape = 'tokenLogps: targets must be [B, T] = [2, 1] to match logits [2,1,3], got ';
    expect(() => tokenLogps(logits, ids([0, 1], [2]))).toThrow(`${wrongShape}[2]`);
    expect(() => tokenLogps(logits, ids([0], [1, 1]))).toThrow(`${wrongShape}[1,1]`);
    expect(() => tokenLogps(logits, ids([0, 1, 2, 0], [2, 2]))).toThrow(`${wrongShape}[2,2]`);
    expect(() => tokenLogps(logits, ids([0, 1], [2, 1, 1]))).toThrow(`${wrongShape}[2,1,1]`);
    expect(() => tokenLogps(logits, ids([0, -1], [2, 1]))).toThrow(
      'tokenLogps: target id -1 at flat index 1 is outside the vocabulary [0, 3)',
    );
    expect(() => sequenceLogps(tensor([-1, -2]), tensor([1, 1]))).toThrow(
      'sequenceLogps: expected per-token log-probs [B, T] and a mask of the same shape, got [2] and [2]',
    );
    expect(() => sequenceLogps(tensor([[-1, -2]]), tensor([[1, 1, 1]]))).toThrow(
      'sequenceLogps: expected per-token log-probs [B, T] and a mask of the same shape, got [1,2] and [1,3]',
    );
    expect(() => sequenceLogps(tensor([[-1, -2]]), tensor([[0, 0]]))).toThrow(
      'sequenceLogps: row 0 of mask [1,2] has no completion tokens (an empty completion has no mean log-prob)',
    );
  });
});

describe('buildPreferenceBatch', () => {
  const EOS = 0;
  it('lays out next-token targets with completion-only masks, EOS counted even when it equals padId', () => {
    const batch = buildPreferenceBatch(
      [
        { prompt: [5, 6], chosen: [7, EOS], rejected: [8, 9, 10, EOS] },
        { prompt: [5], chosen: [11, EOS], rejected: [EOS] },
      ],
      { padId: EOS },
    );
    // longest: prompt 2 + rejected 4 = 6 tokens -> 5 positions
    expect(batch.length).toBe(5);
    expect(batch.chosen.ids.arraySync()).toEqual([
      [5, 6, 7, 0, 0],
      [5, 11, 0, 0, 0],
    ]);
    expect(batch.chosen.targets.arraySync()).toEqual([
      [6, 7, 0, 0, 0],
      [11, 0, 0, 0, 0],
    ]);
    expect(batch.chosen.mask.arraySync()).toEqual([
      [0, 1, 1, 0, 0],
      [1, 1, 0, 0, 0],
    ]);
    expect(batch.rejected.ids.arraySync()).toEqual([
      [5, 6, 8, 9, 10],
      [5, 0, 0, 0, 0],
    ]);
    expect(batch.rejected.targets.arraySync()).toEqual([
      [6, 8, 9, 10, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(batch.rejected.mask.arraySync()).toEqual([
      [0, 1, 1, 1, 1],
      [1, 0, 0, 0, 0],
    ]);
    expect(batch.truncated).toBe(0);
  });

  it('maxLength cuts the completion tail; errors for what cannot be scored', () => {
    const batch = buildPreferenceBatch([{ prompt: [1, 2], chosen: [3, 4, 5], rejected: [6] }], {
      padId: 0,
      maxLength: 4,
    });
    expect(batch.chosen.targets.arraySync()).toEqual([[2, 3, 4]]);
    expect(batch.chosen.mask.arraySync()).toEqual([[0, 1, 1]]);
    expect(batch.truncated).toBe(1);
    expect(() => buildPreferenceBatch([{ prompt: [1, 2], chosen: [3], rejected: [] }], { padId: 0 })).toThrow(
      /example 0 rejected is an empty completion/,
    );
    expect(() => buildPreferenceBatch([{ prompt: [], chosen: [3], rejected: [4] }], { padId: 0 })).toThrow(
      /example 0 has an empty prompt/,
    );
    expect(() =>
      buildPreferenceBatch([{ prompt: [1, 2, 3], chosen: [3], rejected: [4] }], { padId: 0, maxLength: 3 }),
    ).toThrow(/leaves no completion token/);
    expect(() => buildPreferenceBatch([{ prompt: [1], chosen: [1.5], rejected: [4] }], { padId: 0 })).toThrow(
      /example 0 chosen\[0\] = 1.5 is not a token id/,
    );
    expect(() => buildPreferenceBatch([], { padId: 0 })).toThrow(/at least one example/);
  });
});

describe('buildPreferenceBatch option and id checks, with their full messages', () => {
  const pair = { prompt: [1, 2], chosen: [3, 4], rejected: [5] };
  const build =
    (opts: Record<string, unknown>, examples: unknown = [pair]) =>
    () =>
      buildPreferenceBatch(examples as never, opts as never);

  it('padId: a non-negative integer, 0 included', () => {
    for (const padId of [-1, 1.5, Number.NaN]) {
      expect(build({ padId })).toThrow(
        `buildPreferenceBatch: padId must be a token id (a non-negative integer), got ${padId}`,
      );
    }
    expect(build({ padId: 0 })).not.toThrow();
  });

  it('maxLength: an integer >= 2, or absent; 2 keeps one prompt and one completion token', () => {
    for (const maxLength of [1, 0, 2.5, -3]) {
      expect(build({ padId: 0, maxLength })).toThrow(
        'buildPreferenceBatch: maxLength must be an integer >= 2 ' +
          `(a prompt token and a completion token), got ${maxLength}`,
      );
    }
    const two = buildPreferenceBatch([{ prompt: [1], chosen: [3, 4], rejected: [5] }], { padId: 0, maxLength: 2 });
    expect(two.length).toBe(1);
    expect(two.chosen.targets.arraySync()).toEqual([[3]]);
    expect(two.chosen.mask.arraySync()).toEqual([[1]]);
    expect(two.truncated).toBe(1);
    expect(build({ padId: 0, maxLength: Infinity })().truncated).toBe(0);
    expect(() =>
      buildPreferenceBatch([{ prompt: [1, 2, 3], chosen: [3], rejected: [4] }], { padId: 0, maxLength: 3 }),
    ).toThrow(
      'buildPreferenceBatch: example 0 chosen: maxLength 3 leaves no completion token after a prompt of 3 tokens',
    );
  });

  it('ids: arrays of non-negative integers, the bad one named with its index', () => {
    expect(build({ padId: 0 }, [{ ...pair, prompt: 'ab' }])).toThrow(
      'buildPreferenceBatch: example 0 prompt must be an array of token ids, got string',
    );
    expect(build({ padId: 0 }, [pair, { ...pair, rejected: [5, -2] }])).toThrow(
      'buildPreferenceBatch: example 1 rejected[1] = -2 is not a token id (a non-negative integer)',
    );
    expect(build({ padId: 0 }, [{ ...pair, chosen: [3, 0] }])).not.toThrow();
    expect(build({ padId: 0 }, [{ ...pair, chosen: [] }])).toThrow(
      'buildPreferenceBatch: example 0 chosen is an empty completion (nothing to score; drop the example)',
    );
    expect(build({ padId: 0 }, [{ ...pair, prompt: [] }])).toThrow(
      'buildPreferenceBatch: example 0 has an empty prompt (start it with a BOS token)',
    );
    expect(build({ padId: 0 }, 'no')).toThrow('buildPreferenceBatch: expected at least one example');
  });

  it('masks take the dtype asked for (float32 unless said); ids and targets are int32', () => {
    const plain = buildPreferenceBatch([pair], { padId: 0 });
    expect(plain.chosen.mask.dtype).toBe('float32');
    expect(plain.chosen.ids.dtype).toBe('int32');
    expect(plain.rejected.targets.dtype).toBe('int32');
    expect(buildPreferenceBatch([pair], { padId: 0, dtype: 'float64' }).rejected.mask.dtype).toBe('float64');
  });
});

describe('referenceLogps', () => {
  // a tiny "model": logits depend on the input token only, through a fixed table
  const V = 6;
  const table = Array.from({ length: V * V }, (_, i) => Math.sin(i * 1.7));
  let calls = 0;
  const logitsFn = (ids: Tensor): Tensor => {
    calls++;
    expect(isGradEnabled()).toBe(false);
    const flat = Array.from(ids.dataSync()).flatMap((id) => table.slice(id * V, (id + 1) * V));
    return tensor(flat, { shape: [...ids.shape, V], dtype: 'float64' });
  };
  const examples = [
    { prompt: [1], chosen: [2, 3], rejected: [4] },
    { prompt: [2, 3], chosen: [5], rejected: [1, 1, 0] },
  ];

  it('runs the model under noGrad; with a cache, a batch of seen examples does not run it again', async () => {
    const batch = buildPreferenceBatch(examples, { padId: 0, dtype: 'float64' });
    calls = 0;
    const direct = await referenceLogps(logitsFn, batch);
    expect(calls).toBe(2);
    expect(direct.refChosenLogps.requiresGrad).toBe(false);
    // independent value: log-softmax of the table row of the input token, at the target
    const logp = (input: number, target: number): number => {
      const row = table.slice(input * V, (input + 1) * V);
      return row[target] - Math.log(row.reduce((a, z) => a + Math.exp(z), 0));
    };
    expect((direct.refChosenLogps.arraySync() as number[][])[0][1]).toBeCloseTo(logp(2, 3), 12);

    const cache = new ReferenceCache();
    calls = 0;
    const first = await referenceLogps(logitsFn, batch, { cache, keys: ['a', 'b'] });
    expect(calls).toBe(2);
    expect(cache.size).toBe(2);
    // through the cache: the same values as without it, on every row and side, in the mask's dtype and backend
    for (const side of ['refChosenLogps', 'refRejectedLogps'] as const) {
      const mask = side === 'refChosenLogps' ? batch.chosen.mask : batch.rejected.mask;
      expect(first[side].dtype).toBe('float64');
      expect(first[side].backend).toBe(mask.backend);
      const keep = (x: Tensor): number[] => Array.from(x.dataSync()).filter((_, i) => mask.dataSync()[i] === 1);
      expect(keep(first[side])).toEqual(keep(direct[side]));
    }
    // the same examples in another order and padding: read back from the cache
    const swapped = buildPreferenceBatch([examples[1], examples[0], examples[1]], { padId: 0, dtype: 'float64' });
    const again = await referenceLogps(logitsFn, swapped, { cache, keys: ['b', 'a', 'b'] });
    expect(calls).toBe(2);
    const masked = (x: Tensor, m: Tensor): number[] => Array.from(x.dataSync()).filter((_, i) => m.dataSync()[i] === 1);
    expect(masked(again.refRejectedLogps, swapped.rejected.mask).slice(0, 3)).toEqual(
      masked(first.refRejectedLogps, batch.rejected.mask).slice(1),
    );
    // masked chosen tokens of the swapped batch: b (1 token), then a (2 tokens), then b
    expect(masked(again.refChosenLogps, swapped.chosen.mask)[2]).toBeCloseTo(logp(2, 3), 12);
    await expect(referenceLogps(logitsFn, batch, { cache, keys: ['a'] })).rejects.toThrow(
      /one key per example \(2\), got 1/,
    );
    await expect(referenceLogps(logitsFn, batch, { cache })).rejects.toThrow(
      'referenceLogps: a cache needs one key per example (2), got none',
    );
  });

  it('a cached example is never recomputed, and a key reused for another example is an error', async () => {
    const batch = buildPreferenceBatch(examples, { padId: 0, dtype: 'float64' });
    const cache = new ReferenceCache();
    await referenceLogps(logitsFn, batch, { cache, keys: ['a', 'b'] });
    expect(cache.has('a')).toBe(true);
    expect(cache.has('c')).toBe(false);
    expect(Array.from(cache.get('a')?.chosen ?? [])).toHaveLength(2);
    expect(Array.from(cache.get('b')?.rejected ?? [])).toHaveLength(3);
    expect(cache.get('c')).toBeUndefined();
    // an unseen key runs the model on the whole batch; the seen one must still come from the cache
    const shifted = (ids: Tensor): Tensor => logitsFn(ids).add(1).logSoftmax(-1).mul(2);
    const mixed = await referenceLogps(shifted, batch, { cache, keys: ['a', 'c'] });
    expect(cache.size).toBe(3);
    const fresh = await referenceLogps(shifted, batch);
    const rowA = (x: Tensor): number[] => (x.arraySync() as number[][])[0];
    const cachedA = await referenceLogps(logitsFn, batch);
    expect(rowA(mixed.refChosenLogps).slice(0, 2)).toEqual(rowA(cachedA.refChosenLogps).slice(0, 2));
    expect(rowA(mixed.refChosenLogps)[0]).not.toBeCloseTo(rowA(fresh.refChosenLogps)[0], 3);
    // 'a' cached with 2 chosen tokens; here 'a' names an example with 1 chosen token
    const other = buildPreferenceBatch([examples[1], examples[0]], { padId: 0, dtype: 'float64' });
    await expect(referenceLogps(logitsFn, other, { cache, keys: ['a', 'd'] })).rejects.toThrow(
      "referenceLogps: cached chosen log-probs for example 'a' have 2 tokens but the batch row has 1 " +
        '(same key, different example or truncation?)',
    );
    const rejectedOnly = buildPreferenceBatch([{ prompt: [1], chosen: [2, 3], rejected: [4, 4] }, examples[1]], {
      padId: 0,
      dtype: 'float64',
    });
    await expect(referenceLogps(logitsFn, rejectedOnly, { cache, keys: ['a', 'b'] })).rejects.toThrow(
      "referenceLogps: cached rejected log-probs for example 'a' have 1 tokens but the batch row has 2",
    );
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.has('a')).toBe(false);
  });
});
