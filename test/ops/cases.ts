// The op-case registry: every op of issue 2 as data, reusable on ANY backend.
//
// Contract
// - An OpCase says how to draw inputs (`sample`: a fast-check arbitrary of shapes, values and params), how to run the
//   op (`run`, given tensors already on the backend under test), and optionally a naive `reference` over plain JS
//   arrays (test/ops/reference.ts, written independently of src/).
// - `floats` are the differentiable inputs, drawn from a domain that avoids the op's kinks (log/sqrt positive, pow
//   positive base, abs/relu away from 0, maximum/minimum/max away from ties). `ints` are int32 inputs (indices, ids,
//   targets, conditions); they are never differentiated.
// - `differentiable` cases get a float64 CPU gradcheck and a float32-vs-float64 backward comparison;
//   `gradgrad` cases also get gradgradcheck.
// - To run the whole suite on a backend: `defineOpSuite('webgpu', opts)` from test/ops/suite.ts (see SuiteOptions).
//   Cases are named `<op>` or `<op> (<variant>)`; `op` groups variants for the coverage table (test/COVERAGE.md).

import fc from 'fast-check';
import type { Tensor } from '../../src/index.js';
import {
  add,
  concat,
  crossEntropy,
  div,
  embedding,
  maximum,
  minimum,
  mul,
  pow,
  scatterAdd,
  sub,
} from '../../src/index.js';
import * as ref from './reference.js';
import type { Flat } from './reference.js';
import {
  awayFromZero,
  axesArb,
  axisArb,
  broadcastingShapes,
  choices,
  distinct,
  integersBelow,
  offsetGrid,
  shapeArb,
  uniform,
  withRnd,
  type Domain,
  type Rnd,
} from './arbitraries.js';
import { uniformReference } from '../core/philox-reference.js';

export interface OpSample<P = unknown> {
  floats: Flat[];
  ints: Flat[];
  params: P;
}

export interface OpCase<P = unknown> {
  name: string;
  op: string;
  sample: fc.Arbitrary<OpSample<P>>;
  run: (floats: Tensor[], ints: Tensor[], params: P) => Tensor;
  reference?: (floats: Flat[], ints: Flat[], params: P) => Flat;
  differentiable: boolean;
  gradgrad: boolean;
  /** float32 forward tolerance (absolute and relative) against float64; default 3e-5. */
  tol32?: number;
}

const fill = (shape: number[], domain: Domain, rnd: Rnd): Flat => ({ shape, values: domain(ref.sizeOf(shape), rnd) });

function defineCase<P>(c: OpCase<P>): OpCase {
  return c as unknown as OpCase;
}

const STD = uniform(-2, 2);

// ---------------------------------------------------------------- elementwise unary

const UNARY: Array<[string, (x: Tensor) => Tensor, (v: number) => number, Domain]> = [
  ['neg', (x) => x.neg(), (v) => -v, STD],
  ['exp', (x) => x.exp(), Math.exp, STD],
  ['log', (x) => x.log(), Math.log, uniform(0.3, 3)],
  ['sqrt', (x) => x.sqrt(), Math.sqrt, uniform(0.3, 3)],
  ['tanh', (x) => x.tanh(), Math.tanh, STD],
  ['sigmoid', (x) => x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), uniform(-20, 20)],
  ['relu', (x) => x.relu(), (v) => (v > 0 ? v : 0), awayFromZero(0.05, 2)],
  ['gelu', (x) => x.gelu(), ref.gelu, uniform(-3, 3)],
  ['softplus', (x) => x.softplus(), (v) => Math.log(1 + Math.exp(v)), uniform(-20, 20)],
  ['logSigmoid', (x) => x.logSigmoid(), (v) => -Math.log(1 + Math.exp(-v)), uniform(-20, 20)],
  ['abs', (x) => x.abs(), Math.abs, awayFromZero(0.05, 2)],
  ['sign', (x) => x.sign(), Math.sign, awayFromZero(0.05, 2)],
  ['reciprocal', (x) => x.reciprocal(), (v) => 1 / v, awayFromZero(0.5, 2)],
  ['square', (x) => x.square(), (v) => v * v, STD],
  ['expm1', (x) => x.expm1(), (v) => Math.exp(v) - 1, STD],
  ['log1p', (x) => x.log1p(), (v) => Math.log(1 + v), uniform(-0.5, 3)],
  // spans both of log1mexp's branches (the switch is at -ln 2)
  ['log1mexp', (x) => x.log1mexp(), (v) => Math.log(1 - Math.exp(v)), uniform(-4, -0.05)],
];

const unaryCases = UNARY.map(([op, run, f, domain]) =>
  defineCase({
    name: op,
    op,
    sample: withRnd(shapeArb(), (shape, rnd) => ({ floats: [fill(shape, domain, rnd)], ints: [], params: null })),
    run: ([x]) => run(x),
    reference: ([x]) => ref.map(x, f),
    differentiable: true,
    gradgrad: true,
  }),
);

// ---------------------------------------------------------------- broadcasting binary

type Binary = (a: Tensor, b: Tensor) => Tensor;
const BINARY: Array<[string, Binary, (a: number, b: number) => number, Domain, Domain, boolean]> = [
  ['add', (a, b) => a.add(b), (a, b) => a + b, STD, STD, true],
  ['sub', (a, b) => a.sub(b), (a, b) => a - b, STD, STD, true],
  ['mul', (a, b) => a.mul(b), (a, b) => a * b, STD, STD, true],
  ['div', (a, b) => a.div(b), (a, b) => a / b, STD, awayFromZero(0.5, 2), true],
  ['pow', (a, b) => a.pow(b), Math.pow, uniform(0.5, 2), STD, true],
  ['maximum', (a, b) => a.maximum(b), Math.max, offsetGrid(0.05, 0.2), offsetGrid(0.55, 0.7), true],
  ['minimum', (a, b) => a.minimum(b), Math.min, offsetGrid(0.05, 0.2), offsetGrid(0.55, 0.7), true],
  // comparisons on a coarse grid so equal pairs are common
  ['lt', (a, b) => a.lt(b), (a, b) => +(a < b), choices([-1, 0, 1]), choices([-1, 0, 1]), false],
  ['le', (a, b) => a.le(b), (a, b) => +(a <= b), choices([-1, 0, 1]), choices([-1, 0, 1]), false],
  ['gt', (a, b) => a.gt(b), (a, b) => +(a > b), choices([-1, 0, 1]), choices([-1, 0, 1]), false],
  ['ge', (a, b) => a.ge(b), (a, b) => +(a >= b), choices([-1, 0, 1]), choices([-1, 0, 1]), false],
  ['eq', (a, b) => a.eq(b), (a, b) => +(a === b), choices([-1, 0, 1]), choices([-1, 0, 1]), false],
  ['ne', (a, b) => a.ne(b), (a, b) => +(a !== b), choices([-1, 0, 1]), choices([-1, 0, 1]), false],
];

const binaryCases = BINARY.map(([op, run, f, da, db, differentiable]) =>
  defineCase({
    name: op,
    op,
    sample: withRnd(broadcastingShapes(2), ([sa, sb], rnd) => ({
      floats: [fill(sa, da, rnd), fill(sb, db, rnd)],
      ints: [],
      params: null,
    })),
    run: ([a, b]) => run(a, b),
    reference: (xs) => ref.zip(xs, f),
    differentiable,
    gradgrad: differentiable,
  }),
);

// numbers where a tensor operand is expected, on either side
const NUMBER_OPERANDS: Array<[string, string, (x: Tensor) => Tensor, (v: number) => number, Domain]> = [
  ['add', 'add (number operand)', (x) => add(x, 1.5), (v) => v + 1.5, STD],
  ['sub', 'sub (number on the left)', (x) => sub(1.5, x), (v) => 1.5 - v, STD],
  ['mul', 'mul (number operand)', (x) => mul(x, -2.5), (v) => v * -2.5, STD],
  ['div', 'div (number on the left)', (x) => div(3, x), (v) => 3 / v, awayFromZero(0.5, 2)],
  // an integer exponent on a negative base: the exponent is constant, so no log(base) enters the gradient
  ['pow', 'pow (number exponent, negative base)', (x) => x.pow(3), (v) => v ** 3, STD],
  ['pow', 'pow (number base)', (x) => pow(2, x), (v) => 2 ** v, STD],
  ['maximum', 'maximum (number operand)', (x) => maximum(x, 0.5), (v) => Math.max(v, 0.5), offsetGrid(0.05, 0.2)],
  ['minimum', 'minimum (number operand)', (x) => minimum(0.5, x), (v) => Math.min(v, 0.5), offsetGrid(0.05, 0.2)],
];

const numberCases = NUMBER_OPERANDS.map(([op, name, run, f, domain]) =>
  defineCase({
    name,
    op,
    sample: withRnd(shapeArb(), (shape, rnd) => ({ floats: [fill(shape, domain, rnd)], ints: [], params: null })),
    run: ([x]) => run(x),
    reference: ([x]) => ref.map(x, f),
    differentiable: true,
    gradgrad: true,
  }),
);

const whereCase = defineCase({
  name: 'where',
  op: 'where',
  sample: withRnd(broadcastingShapes(3), ([sc, sa, sb], rnd) => ({
    // any non-zero condition selects the first operand, negative ones included
    floats: [fill(sa, STD, rnd), fill(sb, STD, rnd)],
    ints: [fill(sc, choices([0, 1, -2]), rnd)],
    params: null,
  })),
  run: ([a, b], [cond]) => a.where(cond, b),
  reference: ([a, b], [cond]) => ref.zip([cond, a, b], (c, x, y) => (c !== 0 ? x : y)),
  differentiable: true,
  gradgrad: true,
});

// ---------------------------------------------------------------- reductions

interface ReduceParams {
  axes: number | number[] | undefined;
  keepDims: boolean;
}
const reduceSample = (domain: Domain): fc.Arbitrary<OpSample<ReduceParams>> =>
  withRnd(
    shapeArb().chain((shape) => fc.tuple(fc.constant(shape), axesArb(shape.length), fc.boolean())),
    ([shape, axes, keepDims], rnd) => ({ floats: [fill(shape, domain, rnd)], ints: [], params: { axes, keepDims } }),
  );

const REDUCTIONS: Array<[string, (x: Tensor, p: ReduceParams) => Tensor, (x: Flat, p: ReduceParams) => Flat, Domain]> =
  [
    ['sum', (x, p) => x.sum(p.axes, p.keepDims), (x, p) => ref.sum(x, p.axes, p.keepDims), STD],
    ['mean', (x, p) => x.mean(p.axes, p.keepDims), (x, p) => ref.mean(x, p.axes, p.keepDims), STD],
    ['max', (x, p) => x.max(p.axes, p.keepDims), (x, p) => ref.max(x, p.axes, p.keepDims), distinct(0.3)],
    ['min', (x, p) => x.min(p.axes, p.keepDims), (x, p) => ref.min(x, p.axes, p.keepDims), distinct(0.3)],
    ['logsumexp', (x, p) => x.logsumexp(p.axes, p.keepDims), (x, p) => ref.logsumexp(x, p.axes, p.keepDims), STD],
  ];

const reduceCases = REDUCTIONS.map(([op, run, reference, domain]) =>
  defineCase<ReduceParams>({
    name: op,
    op,
    sample: reduceSample(domain),
    run: ([x], _, p) => run(x, p),
    reference: ([x], _, p) => reference(x, p),
    differentiable: true,
    gradgrad: true,
  }),
);

const argmaxCase = defineCase<[number, boolean]>({
  name: 'argmax',
  op: 'argmax',
  sample: withRnd(
    shapeArb({ minRank: 1 }).chain((s) => fc.tuple(fc.constant(s), axisArb(s.length), fc.boolean())),
    ([shape, axis, keepDims], rnd) => ({
      floats: [fill(shape, distinct(0.3), rnd)],
      ints: [],
      params: [axis, keepDims],
    }),
  ),
  run: ([x], _, [axis, keepDims]) => x.argmax(axis, keepDims),
  reference: ([x], _, [axis, keepDims]) => ref.argmax(x, axis, keepDims),
  differentiable: false,
  gradgrad: false,
});

const softmaxSample = withRnd(
  shapeArb({ minRank: 1 }).chain((shape) => fc.tuple(fc.constant(shape), axisArb(shape.length))),
  ([shape, axis], rnd) => ({ floats: [fill(shape, uniform(-3, 3), rnd)], ints: [], params: axis }),
);

const softmaxCases = [
  defineCase<number>({
    name: 'softmax',
    op: 'softmax',
    sample: softmaxSample,
    run: ([x], _, axis) => x.softmax(axis),
    reference: ([x], _, axis) => ref.softmax(x, axis),
    differentiable: true,
    gradgrad: true,
  }),
  defineCase<number>({
    name: 'logSoftmax',
    op: 'logSoftmax',
    sample: softmaxSample,
    run: ([x], _, axis) => x.logSoftmax(axis),
    reference: ([x], _, axis) => ref.logSoftmax(x, axis),
    differentiable: true,
    gradgrad: true,
  }),
];

// ---------------------------------------------------------------- matmul

const dim = fc.integer({ min: 1, max: 4 });
const MATMUL_SHAPES: Array<[string, fc.Arbitrary<number[][]>]> = [
  ['1-D @ 1-D', dim.map((k) => [[k], [k]])],
  [
    '1-D @ batched',
    fc.tuple(dim, dim, shapeArb({ maxRank: 2, maxDim: 3 })).map(([k, n, batch]) => [[k], [...batch, k, n]]),
  ],
  [
    'batched @ 1-D',
    fc.tuple(dim, dim, shapeArb({ maxRank: 2, maxDim: 3 })).map(([m, k, batch]) => [[...batch, m, k], [k]]),
  ],
  [
    'batched, broadcasting batch dims',
    fc.tuple(dim, dim, dim, broadcastingShapes(2, { maxRank: 2, maxDim: 3 })).map(([m, k, n, [ba, bb]]) => [
      [...ba, m, k],
      [...bb, k, n],
    ]),
  ],
];

const matmulCases = MATMUL_SHAPES.map(([variant, shapes]) =>
  defineCase({
    name: `matmul (${variant})`,
    op: 'matmul',
    sample: withRnd(shapes, ([sa, sb], rnd) => ({
      floats: [fill(sa, STD, rnd), fill(sb, STD, rnd)],
      ints: [],
      params: null,
    })),
    run: ([a, b]) => a.matmul(b),
    reference: ([a, b]) => ref.matmul(a, b),
    differentiable: true,
    gradgrad: true,
  }),
);

// ---------------------------------------------------------------- layout

const floatSample = <P>(shapes: fc.Arbitrary<[number[], P]>): fc.Arbitrary<OpSample<P>> =>
  withRnd(shapes, ([shape, params], rnd) => ({ floats: [fill(shape, STD, rnd)], ints: [], params }));

/** A reshape target: the dims shuffled, two neighbours maybe merged, one maybe given as -1. */
const reshapeTarget = shapeArb()
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.shuffledSubarray(shape, { minLength: shape.length, maxLength: shape.length }),
      fc.nat(4),
      fc.nat(4),
    ),
  )
  .map(([shape, shuffled, merge, unknown]): [number[], number[]] => {
    const target = [...shuffled];
    if (merge + 1 < target.length) target.splice(merge, 2, target[merge] * target[merge + 1]);
    if (unknown < target.length) target[unknown] = -1;
    return [shape, target];
  });

const permutation = (rank: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank });

interface SliceParams {
  starts: number[];
  ends: number[];
  begin: number[];
  end: number[];
}
const sliceShapes = shapeArb({ minRank: 1 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.tuple(
        ...shape.map((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }), fc.boolean())),
      ),
      fc.integer({ min: 0, max: shape.length }),
    ),
  )
  .map(([shape, ranges, given]): [number[], SliceParams] => {
    const begin = ranges.map(([p, q]) => Math.min(p, q));
    const end = ranges.map(([p, q]) => Math.max(p, q));
    // only the first `given` axes are passed (the rest are taken whole); some positions counted from the end
    const starts = begin.slice(0, given).map((b, d) => (ranges[d][2] && b < shape[d] ? b - shape[d] : b));
    const ends = end.slice(0, given).map((e, d) => (ranges[d][2] && e > 0 && e < shape[d] ? e - shape[d] : e));
    return [
      shape,
      {
        starts,
        ends,
        begin: begin.map((b, d) => (d < given ? b : 0)),
        end: end.map((e, d) => (d < given ? e : shape[d])),
      },
    ];
  });

const layoutCases = [
  defineCase<number[]>({
    name: 'reshape',
    op: 'reshape',
    sample: floatSample(reshapeTarget),
    run: ([x], _, target) => x.reshape(target),
    reference: ([x], _, target) => {
      const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
      return { shape: target.map((d) => (d === -1 ? x.values.length / known : d)), values: x.values };
    },
    differentiable: true,
    gradgrad: true,
  }),
  defineCase<[number, number]>({
    name: 'transpose',
    op: 'transpose',
    sample: floatSample(
      shapeArb({ minRank: 2 }).chain((s) => fc.tuple(fc.constant(s), fc.tuple(axisArb(s.length), axisArb(s.length)))),
    ),
    run: ([x], _, [d0, d1]) => x.transpose(d0, d1),
    reference: ([x], _, [d0, d1]) => {
      const r = x.shape.length;
      const perm = [...Array(r).keys()];
      const [a, b] = [(d0 + r) % r, (d1 + r) % r];
      [perm[a], perm[b]] = [perm[b], perm[a]];
      return ref.permute(x, perm);
    },
    differentiable: true,
    gradgrad: true,
  }),
  defineCase<number[]>({
    name: 'permute',
    op: 'permute',
    sample: floatSample(shapeArb().chain((s) => fc.tuple(fc.constant(s), permutation(s.length)))),
    run: ([x], _, perm) => x.permute(perm),
    reference: ([x], _, perm) => ref.permute(x, perm),
    differentiable: true,
    gradgrad: true,
  }),
  defineCase<number[]>({
    name: 'broadcastTo',
    op: 'broadcastTo',
    sample: floatSample(
      fc
        .tuple(broadcastingShapes(1), shapeArb({ maxRank: 2 }))
        .map(([[s], lead]): [number[], number[]] => [s, [...lead, ...s.map((d) => (d === 1 ? 3 : d))]]),
    ),
    run: ([x], _, target) => x.broadcastTo(target),
    reference: ([x], _, target) => ref.broadcastTo(x, target),
    differentiable: true,
    gradgrad: true,
  }),
  defineCase<SliceParams>({
    name: 'slice',
    op: 'slice',
    sample: floatSample(sliceShapes),
    run: ([x], _, p) => x.slice(p.starts, p.ends),
    reference: ([x], _, p) => ref.slice(x, p.begin, p.end),
    differentiable: true,
    gradgrad: true,
  }),
  defineCase<number>({
    name: 'concat',
    op: 'concat',
    sample: withRnd(
      shapeArb({ minRank: 1 }).chain((s) =>
        fc.tuple(
          fc.constant(s),
          fc.integer({ min: 0, max: s.length - 1 }),
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        ),
      ),
      ([shape, axis, sizes], rnd) => ({
        floats: sizes.map((n) =>
          fill(
            shape.map((d, i) => (i === axis ? n : d)),
            STD,
            rnd,
          ),
        ),
        ints: [],
        params: axis,
      }),
    ),
    run: (xs, _, axis) => concat(xs, axis),
    reference: (xs, _, axis) => ref.concat(xs, axis),
    differentiable: true,
    gradgrad: true,
  }),
];

// ---------------------------------------------------------------- indexing

const gatherCase = defineCase<number>({
  name: 'gather',
  op: 'gather',
  sample: withRnd(
    shapeArb({ minRank: 1 }).chain((s) =>
      fc.tuple(
        fc.constant(s),
        axisArb(s.length),
        fc.tuple(...s.map((d) => fc.integer({ min: 1, max: d }))),
        fc.integer({ min: 1, max: 4 }),
      ),
    ),
    ([shape, axisArg, smaller, along], rnd) => {
      const axis = (axisArg + shape.length) % shape.length;
      const indexShape = smaller.map((d, i) => (i === axis ? along : d));
      return {
        floats: [fill(shape, STD, rnd)],
        ints: [fill(indexShape, integersBelow(shape[axis]), rnd)],
        params: axisArg,
      };
    },
  ),
  run: ([x], [index], axis) => x.gather(axis, index),
  reference: ([x], [index], axis) => ref.gather(x, (axis + x.shape.length) % x.shape.length, index),
  differentiable: true,
  gradgrad: true,
});

interface ScatterParams {
  shape: number[];
  axis: number;
}
const scatterAddCase = defineCase<ScatterParams>({
  name: 'scatterAdd (repeated indices accumulate)',
  op: 'scatterAdd',
  sample: withRnd(
    shapeArb({ minRank: 1 }).chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.integer({ min: 0, max: s.length - 1 }),
        fc.tuple(...s.map((d) => fc.integer({ min: 1, max: d }))),
        fc.integer({ min: 1, max: 5 }),
      ),
    ),
    ([shape, axis, smaller, along], rnd) => {
      const srcShape = smaller.map((d, i) => (i === axis ? along : d));
      return {
        floats: [fill(srcShape, STD, rnd)],
        ints: [fill(srcShape, integersBelow(shape[axis]), rnd)],
        params: { shape, axis },
      };
    },
  ),
  run: ([src], [index], { shape, axis }) => scatterAdd(shape, axis, index, src),
  reference: ([src], [index], { shape, axis }) => ref.scatterAdd(shape, axis, index, src),
  differentiable: true,
  gradgrad: true,
});

const embeddingCase = defineCase({
  name: 'embedding (scatter-add backward, repeated ids)',
  op: 'embedding',
  sample: withRnd(
    fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), shapeArb({ maxRank: 2 })),
    ([vocab, width, idShape], rnd) => ({
      floats: [fill([vocab, width], STD, rnd)],
      ints: [fill(idShape, integersBelow(vocab), rnd)],
      params: null,
    }),
  ),
  run: ([w], [ids]) => embedding(w, ids),
  reference: ([w], [ids]) => ref.embedding(w, ids),
  differentiable: true,
  gradgrad: true,
});

// ---------------------------------------------------------------- nn building blocks

type Affine = 'none' | 'weight' | 'both';
const layerNormCase = defineCase<Affine>({
  name: 'layerNorm',
  op: 'layerNorm',
  sample: withRnd(
    fc.tuple(
      shapeArb({ maxRank: 2 }),
      fc.integer({ min: 2, max: 5 }),
      fc.constantFrom<Affine>('none', 'weight', 'both'),
    ),
    ([lead, d, affine], rnd) => ({
      // distinct values keep every row's variance well away from 0, where layerNorm is ill-conditioned
      floats: [
        fill([...lead, d], distinct(0.4), rnd),
        ...(affine === 'none' ? [] : [fill([d], STD, rnd)]),
        ...(affine === 'both' ? [fill([d], STD, rnd)] : []),
      ],
      ints: [],
      params: affine,
    }),
  ),
  run: ([x, w, b]) => x.layerNorm(w, b),
  reference: ([x, w, b]) => ref.layerNorm(x, w ?? null, b ?? null, 1e-5),
  differentiable: true,
  gradgrad: true,
});

interface DropoutParams {
  p: number;
  seed: number;
}
const dropoutCase = defineCase<DropoutParams>({
  name: 'dropout (seeded)',
  op: 'dropout',
  sample: withRnd(
    fc.tuple(shapeArb(), fc.constantFrom(0.1, 0.3, 0.5, 0.7), fc.integer({ min: 0, max: 1e6 })),
    ([shape, p, seed], rnd) => ({ floats: [fill(shape, STD, rnd)], ints: [], params: { p, seed } }),
  ),
  run: ([x], _, { p, seed }) => x.dropout(p, seed),
  // the mask is the documented Philox uniform stream thresholded at p, computed by an independent Philox
  reference: ([x], _, { p, seed }) => {
    const u = uniformReference(x.values.length, seed);
    return { shape: x.shape, values: x.values.map((v, i) => (u[i] >= p ? v / (1 - p) : 0)) };
  },
  differentiable: true,
  gradgrad: true,
});

const crossEntropyCase = defineCase({
  name: 'crossEntropy',
  op: 'crossEntropy',
  sample: withRnd(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 })), ([n, c], rnd) => ({
    floats: [fill([n, c], uniform(-3, 3), rnd)],
    ints: [fill([n], integersBelow(c), rnd)],
    params: null,
  })),
  run: ([logits], [targets]) => crossEntropy(logits, targets),
  reference: ([logits], [targets]) => ref.crossEntropy(logits, targets),
  differentiable: true,
  gradgrad: true,
});

export const OP_CASES: readonly OpCase[] = [
  ...unaryCases,
  ...binaryCases,
  ...numberCases,
  whereCase,
  ...reduceCases,
  argmaxCase,
  ...softmaxCases,
  ...matmulCases,
  ...layoutCases,
  gatherCase,
  scatterAddCase,
  embeddingCase,
  layerNormCase,
  dropoutCase,
  crossEntropyCase,
];
