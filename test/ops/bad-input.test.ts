// Bad input must fail loudly: an Error naming the op, the shapes/dtypes involved and what was expected; never a
// silently wrong tensor.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Tensor } from '../../src/index.js';
import {
  add,
  concat,
  crossEntropy,
  div,
  embedding,
  gather,
  matmul,
  maximum,
  minimum,
  mul,
  pow,
  scatterAdd,
  sub,
  tensor,
  where,
  zeros,
} from '../../src/index.js';
import { shapeArb } from './arbitraries.js';

const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;

/** Runs fn and returns the thrown Error (failing the test if it returns normally or throws a non-Error). */
function thrown(fn: () => unknown): Error {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error(`expected an error, got a result: ${String(result)}`);
}

const BINARY: Array<[string, (a: Tensor, b: Tensor) => Tensor]> = [
  ['add', add],
  ['sub', sub],
  ['mul', mul],
  ['div', div],
  ['pow', pow],
  ['maximum', maximum],
  ['minimum', minimum],
  ['lt', (a, b) => a.lt(b)],
  ['le', (a, b) => a.le(b)],
  ['gt', (a, b) => a.gt(b)],
  ['ge', (a, b) => a.ge(b)],
  ['eq', (a, b) => a.eq(b)],
  ['ne', (a, b) => a.ne(b)],
];

/** Two shapes that do not broadcast: at one aligned dim both are >= 2 and they differ. */
const incompatiblePair = fc
  .tuple(
    shapeArb({ maxRank: 2 }),
    shapeArb({ maxRank: 2 }),
    shapeArb({ maxRank: 2 }),
    fc.integer({ min: 2, max: 5 }),
    fc.integer({ min: 2, max: 5 }),
  )
  .filter(([, , , p, q]) => p !== q)
  .map(([lead, tailA, tailB, p, q]) => {
    const tail = tailA.slice(0, Math.min(tailA.length, tailB.length));
    return [
      [...lead, p, ...tail],
      [q, ...tail],
    ];
  });

describe('incompatible shapes', () => {
  it('every binary op throws an error naming the op and both shapes', () => {
    fc.assert(
      fc.property(incompatiblePair, fc.boolean(), ([sa, sb], swap) => {
        const [a, b] = swap ? [zeros(sb), zeros(sa)] : [zeros(sa), zeros(sb)];
        for (const [op, f] of BINARY) {
          const e = thrown(() => f(a, b));
          expect(e.message).toContain(`${op}:`);
          expect(e.message).toContain(fmt(a.shape));
          expect(e.message).toContain(fmt(b.shape));
        }
        for (const e of [
          thrown(() => where(zeros(sa), zeros(sb), 0)),
          thrown(() => where(zeros([]), zeros(sa), zeros(sb))),
        ]) {
          expect(e.message).toMatch(/^where: /);
          expect(e.message).toContain(fmt(sa));
          expect(e.message).toContain(fmt(sb));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('matmul with differing inner dims names both shapes (1-D operands included)', () => {
    const ranked = fc.tuple(shapeArb({ maxRank: 2, maxDim: 3 }), fc.integer({ min: 1, max: 4 }), fc.boolean());
    fc.assert(
      fc.property(
        ranked,
        ranked,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        ([batchA, m, vecA], [batchB, n, vecB], ka, kb) => {
          fc.pre(ka !== kb);
          const sa = vecA ? [ka] : [...batchA, m, ka];
          const sb = vecB ? [kb] : [...batchB, kb, n];
          const e = thrown(() => matmul(zeros(sa), zeros(sb)));
          expect(e.message).toMatch(/^matmul: inner dimensions differ/);
          expect(e.message).toContain(`${fmt(sa)} @ ${fmt(sb)}`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('matmul with batch dims that do not broadcast names both shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 4 }), (p, q) => {
        fc.pre(p !== q);
        const e = thrown(() => matmul(zeros([p, 2, 3]), zeros([q, 3, 2])));
        expect(e.message).toContain('matmul:');
        expect(e.message).toContain(`${fmt([p, 2, 3])} @ ${fmt([q, 3, 2])}`);
      }),
      { numRuns: 10 },
    );
  });

  it('matmul rejects scalars and int32 operands', () => {
    expect(thrown(() => matmul(zeros([]), zeros([2]))).message).toBe(
      'matmul: operands must have rank >= 1, got [] @ [2]',
    );
    expect(thrown(() => matmul(zeros([2], { dtype: 'int32' }), zeros([2]))).message).toBe(
      'matmul: expects float tensors, got [2] int32 @ [2] float32',
    );
  });
});

describe('bad axes', () => {
  const x = zeros([2, 3]);
  it.each([
    ['sum', () => x.sum(2)],
    ['mean', () => x.mean(-3)],
    ['max', () => x.max([0, 5])],
    ['min', () => x.min(-3)],
    ['logsumexp', () => x.logsumexp(7)],
    ['softmax', () => x.softmax(2)],
    ['logSoftmax', () => x.logSoftmax(-3)],
    ['transpose', () => x.transpose(0, 2)],
    ['argmax', () => x.argmax(4)],
    ['concat', () => concat([x, x], 2)],
    ['gather', () => x.gather(3, zeros([2, 3], { dtype: 'int32' }))],
  ])('%s names the axis and the rank', (op, f) => {
    expect(thrown(f).message).toMatch(new RegExp(`^${op}: axis -?\\d+ is out of range for a tensor of rank 2$`));
  });
  it('non-integer and repeated axes are refused', () => {
    expect(thrown(() => x.sum(0.5)).message).toBe('sum: axis 0.5 is out of range for a tensor of rank 2');
    expect(thrown(() => x.sum([1, -1])).message).toBe('sum: repeated axis in [1,-1]');
  });
  it('transpose needs rank >= 2; max, argmax, logsumexp, softmax cannot reduce an empty axis', () => {
    expect(thrown(() => zeros([3]).transpose()).message).toBe('transpose: needs rank >= 2, got [3]');
    expect(thrown(() => zeros([2, 0]).max(1)).message).toBe('max: cannot reduce an empty axis of shape [2,0]');
    for (const [op, f] of [
      ['argmax', () => zeros([2, 0]).argmax(1)],
      ['logsumexp', () => zeros([0]).logsumexp()],
      ['softmax', () => zeros([2, 0]).softmax()],
      ['logSoftmax', () => zeros([2, 0]).logSoftmax()],
    ] as const) {
      expect(thrown(f).message).toMatch(new RegExp(`^${op}: cannot reduce an empty axis of shape \\[`));
    }
  });
  it('permute needs a permutation of all axes', () => {
    expect(thrown(() => x.permute([0, 0])).message).toBe('permute: [0,0] is not a permutation of the 2 axes of [2,3]');
    expect(thrown(() => x.permute([0])).message).toBe('permute: [0] is not a permutation of the 2 axes of [2,3]');
  });
});

describe('bad layout arguments', () => {
  it('reshape to a different size, or with two -1s', () => {
    expect(thrown(() => zeros([2, 3]).reshape([4, 2])).message).toBe(
      'reshape: cannot reshape [2,3] (6 elements) to [4,2]',
    );
    expect(thrown(() => zeros([2, 3]).reshape([-1, 4])).message).toBe(
      'reshape: cannot reshape [2,3] (6 elements) to [-1,4]',
    );
    expect(thrown(() => zeros([2, 3]).reshape([-1, -1])).message).toBe('reshape: only one dim may be -1, got [-1,-1]');
  });
  it('broadcastTo a shape that does not fit', () => {
    expect(thrown(() => zeros([3]).broadcastTo([2, 2])).message).toMatch(/^broadcastTo: .*\[3\].*\[2,2\]/);
    expect(thrown(() => zeros([2, 3]).broadcastTo([3])).message).toBe('broadcastTo: cannot broadcast [2,3] to [3]');
  });
  it('slice out of bounds or reversed', () => {
    expect(thrown(() => zeros([3]).slice([1], [5])).message).toBe(
      'slice: range [1, 5) is out of bounds for axis 0 of [3]',
    );
    expect(thrown(() => zeros([3]).slice([2], [1])).message).toBe(
      'slice: range [2, 1) is out of bounds for axis 0 of [3]',
    );
    expect(thrown(() => zeros([3]).slice([0, 0])).message).toBe('slice: got 2 ranges for [3]');
  });
  it('concat with mismatched shapes or dtypes lists every operand', () => {
    expect(thrown(() => concat([zeros([2, 3]), zeros([2, 4])], 0)).message).toContain('[2,3] float32, [2,4] float32');
    expect(thrown(() => concat([zeros([2]), zeros([2], { dtype: 'float64' })])).message).toContain(
      '[2] float32, [2] float64',
    );
    expect(thrown(() => concat([])).message).toBe('concat: needs at least one tensor');
    expect(thrown(() => concat([tensor(1), tensor(2)])).message).toBe(
      'concat: got a scalar (shape []); reshape each to [1] to join scalars',
    );
  });
});

describe('bad indices', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  it('gather: out-of-range (too large or negative) index', () => {
    expect(
      thrown(() =>
        x.gather(
          1,
          tensor(
            [
              [0, 5],
              [1, 0],
            ],
            { dtype: 'int32' },
          ),
        ),
      ).message,
    ).toBe('gather: index 5 is out of range for axis 1 of size 2');
    expect(thrown(() => x.gather(0, tensor([[-1, 0]], { dtype: 'int32' }))).message).toBe(
      'gather: index -1 is out of range for axis 0 of size 2',
    );
  });
  it('gather: wrong index dtype, rank or extent', () => {
    expect(thrown(() => gather(x, 1, tensor([[0], [1]]))).message).toBe(
      'gather: index must be int32, got float32 [2,1]',
    );
    expect(thrown(() => gather(x, 1, tensor([0, 1], { dtype: 'int32' }))).message).toBe(
      'gather: index [2] must have the same rank as the input (2)',
    );
    expect(thrown(() => gather(x, 1, zeros([3, 1], { dtype: 'int32' }))).message).toMatch(
      /^gather: index \[3,1\] exceeds input \[2,2\] on axis 0/,
    );
  });
  it('scatterAdd: index and src must match; indices in range', () => {
    const idx = tensor([[0, 1]], { dtype: 'int32' });
    expect(thrown(() => scatterAdd([2, 2], 1, idx, zeros([1, 3]))).message).toBe(
      'scatterAdd: index [1,2] and src [1,3] must have the same shape',
    );
    expect(thrown(() => scatterAdd([2, 2], 1, tensor([[0, 2]], { dtype: 'int32' }), zeros([1, 2]))).message).toBe(
      'scatterAdd: index 2 is out of range for axis 1 of size 2',
    );
  });
  it('embedding: ids must be int32 and in range; weight must be 2-D', () => {
    expect(thrown(() => embedding(x, tensor([0, 1]))).message).toBe('embedding: ids must be int32, got float32 [2]');
    expect(thrown(() => embedding(x, tensor([0, 2], { dtype: 'int32' }))).message).toMatch(
      /^gather: index 2 is out of range for axis 0 of size 2/,
    );
    expect(thrown(() => embedding(zeros([4]), tensor([0], { dtype: 'int32' }))).message).toBe(
      'embedding: weight must be [vocab, dim], got [4]',
    );
  });
  it('crossEntropy: shapes must be [N, C] and [N]', () => {
    expect(thrown(() => crossEntropy(zeros([2, 3]), zeros([3], { dtype: 'int32' }))).message).toBe(
      'crossEntropy: expected logits [N, C] and targets [N], got [2,3] and [3]',
    );
    expect(thrown(() => crossEntropy(zeros([1, 2]), zeros([1]))).message).toBe(
      'crossEntropy: targets must be int32 class indices, got [1] float32',
    );
    expect(thrown(() => crossEntropy(zeros([1, 2], { dtype: 'int32' }), zeros([1], { dtype: 'int32' }))).message).toBe(
      "crossEntropy: expects a float tensor, got [1,2] int32 (use .astype('float32'))",
    );
  });
});

describe('layerNorm arguments', () => {
  it('needs rank >= 1 and weight/bias matching the last axis', () => {
    expect(thrown(() => zeros([]).layerNorm()).message).toBe(
      'layerNorm: needs a tensor of rank >= 1 (it normalises the last axis), got []',
    );
    expect(thrown(() => zeros([1, 2]).layerNorm(zeros([3]))).message).toBe(
      'layerNorm: weight must be [2] for input [1,2], got [3]',
    );
    expect(thrown(() => zeros([1, 2]).layerNorm(undefined, zeros([2, 1]))).message).toBe(
      'layerNorm: bias must be [2] for input [1,2], got [2,1]',
    );
  });
});

describe('int32 into float-only ops', () => {
  const i = tensor([1, 2, 3], { dtype: 'int32' });
  const FLOAT_ONLY: Array<[string, () => unknown]> = [
    ['exp', () => i.exp()],
    ['log', () => i.log()],
    ['sqrt', () => i.sqrt()],
    ['tanh', () => i.tanh()],
    ['sigmoid', () => i.sigmoid()],
    ['gelu', () => i.gelu()],
    ['softplus', () => i.softplus()],
    ['logSigmoid', () => i.logSigmoid()],
    ['expm1', () => i.expm1()],
    ['log1p', () => i.log1p()],
    ['log1mexp', () => i.log1mexp()],
    ['mean', () => i.mean()],
    ['logsumexp', () => i.logsumexp()],
    ['softmax', () => i.softmax()],
    ['logSoftmax', () => i.logSoftmax()],
    ['layerNorm', () => i.layerNorm()],
    ['dropout', () => i.dropout(0.3, 1)],
  ];
  it.each(FLOAT_ONLY)('%s names the op, shape and dtype', (op, f) => {
    expect(thrown(f).message).toBe(`${op}: expects a float tensor, got [3] int32 (use .astype('float32'))`);
  });
  it('requireGrad on an int32 tensor is refused', () => {
    expect(thrown(() => tensor([1], { dtype: 'int32', requiresGrad: true })).message).toBe(
      'requireGrad: int32 tensors cannot require grad [1]',
    );
  });
});

describe('disposed tensors', () => {
  const dead = (shape = [2], dtype: 'float32' | 'int32' = 'float32'): Tensor => {
    const t = zeros(shape, { dtype });
    t.dispose();
    return t;
  };
  const USES: Array<[string, (t: Tensor) => unknown, Tensor?]> = [
    ...BINARY.map(([op, f]): [string, (t: Tensor) => unknown] => [op, (t) => f(tensor([1, 2]), t)]),
    ['add', (t) => t.add(1)],
    ['where', (t) => where(tensor([1, 0]), t, 0)],
    ['neg', (t) => t.neg()],
    ['exp', (t) => t.exp()],
    ['log', (t) => t.log()],
    ['sqrt', (t) => t.sqrt()],
    ['tanh', (t) => t.tanh()],
    ['sigmoid', (t) => t.sigmoid()],
    ['relu', (t) => t.relu()],
    ['gelu', (t) => t.gelu()],
    ['softplus', (t) => t.softplus()],
    ['logSigmoid', (t) => t.logSigmoid()],
    ['abs', (t) => t.abs()],
    ['sign', (t) => t.sign()],
    ['reciprocal', (t) => t.reciprocal()],
    ['square', (t) => t.square()],
    ['expm1', (t) => t.expm1()],
    ['log1p', (t) => t.log1p()],
    ['log1mexp', (t) => t.log1mexp()],
    ['sum', (t) => t.sum()],
    ['mean', (t) => t.mean()],
    ['max', (t) => t.max()],
    ['min', (t) => t.min()],
    ['logsumexp', (t) => t.logsumexp()],
    ['softmax', (t) => t.softmax()],
    ['logSoftmax', (t) => t.logSoftmax()],
    ['matmul', (t) => t.matmul(tensor([1, 2]))],
    ['reshape', (t) => t.reshape([2, 1])],
    ['transpose', (t) => t.transpose(), dead([1, 2])],
    ['permute', (t) => t.permute([0])],
    ['broadcastTo', (t) => t.broadcastTo([3, 2])],
    ['slice', (t) => t.slice([1])],
    ['concat', (t) => concat([t, t])],
    ['scatterAdd', (t) => scatterAdd([2], 0, tensor([0, 1], { dtype: 'int32' }), t)],
    ['gather', (t) => t.gather(0, tensor([0], { dtype: 'int32' }))],
    ['embedding', (t) => embedding(tensor([[1, 2]]), t), dead([2], 'int32')],
    ['layerNorm', (t) => t.layerNorm()],
    ['dropout', (t) => t.dropout(0.5, 1)],
    ['crossEntropy', (t) => crossEntropy(t, tensor([0], { dtype: 'int32' })), dead([1, 2])],
    ['dataSync', (t) => t.dataSync()],
    ['backward', (t) => t.backward()],
    ['detach', (t) => t.detach()],
  ];
  it.each(USES)('%s refuses a disposed tensor, naming it', (op, use, t = dead()) => {
    expect(thrown(() => use(t)).message).toBe(`${op}: tensor #${t.id} ${fmt(t.shape)} ${t.dtype} was disposed`);
  });
  it('await data() rejects too', async () => {
    await expect(dead().data()).rejects.toThrow(/^data: tensor #\d+ \[2\] float32 was disposed$/);
  });
});

describe('bad data', () => {
  it.each([
    [[[1, 2], [3]], 'tensor: ragged nested array: expected length 2 at depth 1 (shape [2,2])'],
    [[1, [2]], 'tensor: ragged or non-numeric data (expected a number at depth 1, shape [2])'],
    [[[1], 2], 'tensor: ragged nested array: expected length 1 at depth 1 (shape [2,1])'],
    [['a', 'b'], 'tensor: ragged or non-numeric data (expected a number at depth 1, shape [2])'],
  ])('ragged or non-numeric %j', (data, message) => {
    expect(thrown(() => tensor(data as never)).message).toBe(message);
  });
  it('values that do not fill the shape, and invalid shapes', () => {
    expect(thrown(() => tensor([1, 2, 3], { shape: [2, 2] })).message).toBe(
      'tensor: 3 values do not fill shape [2,2] (4 elements)',
    );
    expect(thrown(() => tensor([1, 2], { shape: [Number.NaN] })).message).toBe(
      'tensor: invalid shape [NaN]: dims must be non-negative integers',
    );
    expect(thrown(() => zeros([2, -1])).message).toBe('full: invalid shape [2,-1]: dims must be non-negative integers');
  });
});

describe('backward misuse', () => {
  it('a non-scalar needs an explicit gradient of its shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(thrown(() => x.mul(2).backward()).message).toBe(
      'backward: a gradient is needed for a non-scalar tensor of shape [2]',
    );
    expect(thrown(() => x.mul(2).backward(tensor([1, 2, 3]))).message).toBe(
      'backward: gradient shape [3] differs from tensor shape [2]',
    );
  });
  it('a tensor that does not require grad', () => {
    expect(thrown(() => tensor(1).exp().backward()).message).toMatch(/^backward: tensor \[\] does not require grad/);
  });
  it('item on a tensor with more than one element', () => {
    expect(thrown(() => tensor([1, 2]).itemSync()).message).toBe(
      'item: expected a tensor with one element, got shape [2]',
    );
  });
});
