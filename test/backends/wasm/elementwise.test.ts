// The float32 wasm map, sum and SGD kernels (backends/wasm/map.ts, sum.ts, sgd.ts) through the CPU backend, as
// properties over random values and layouts: odd lengths, length 1, every broadcast the kernels take (same shape,
// [m, n] with [n], [m, 1] and a scalar on either side, rows further apart than they are long), and views they must
// refuse (transposed, rank 3 after merging). The oracle is the float64 TypeScript kernel on the same float32
// inputs: + - * / sqrt of float32 operands rounded once to float32 are exact, and the other ops only compare,
// select or flip signs, so all must match it bit for bit, signed zeros, infinities and NaN included.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryOp, StridedView, UnaryOp } from '../../../src/backends/backend.js';
import { CpuBackend } from '../../../src/backends/cpu/index.js';
import { sgdUpdate } from '../../../src/backends/cpu/sgd.js';
import { wasmBinary, wasmSgdUpdate, wasmSum, wasmWhere } from '../../../src/backends/cpu/wasm-elementwise.js';
import { WASM_BINARY_OPS, WASM_UNARY_OPS } from '../../../src/backends/wasm/map.js';

const wasm = new CpuBackend({ wasmMinElements: 0 });
const oracle = new CpuBackend({ wasm: false });
const kernels = wasm.kernels!;

/** float32 values, some exactly equal across operands (for the comparisons), never 0 (for div and reciprocal). */
const floats = (n: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(-1, 0.5, 2), fc.float({ min: -8, max: 8, noNaN: true })), {
      minLength: n,
      maxLength: n,
    })
    .map((xs) => Float32Array.from(xs, (x) => (x === 0 ? 0.25 : x)));

/** Like `floats`, with 0, -0, +-Infinity and NaN among them (signed zeros tell maximum and minimum apart). */
const edgy = (n: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(0, -0, Infinity, -Infinity, NaN, -1, 2), fc.float({ min: -8, max: 8 })), {
      minLength: n,
      maxLength: n,
    })
    .map((xs) => Float32Array.from(xs));

const view = (shape: number[], strides: number[], offset = 0): StridedView => ({ shape, strides, offset });

/** How operand `b` is laid out against a contiguous [m, n] output, and how many floats it needs. */
const LAYOUTS: Record<string, (m: number, n: number) => { v: StridedView; len: number }> = {
  same: (m, n) => ({ v: view([m, n], [n, 1]), len: m * n }),
  row: (m, n) => ({ v: view([m, n], [0, 1]), len: n }),
  column: (m, n) => ({ v: view([m, n], [1, 0]), len: m }),
  scalar: (m, n) => ({ v: view([m, n], [0, 0]), len: 1 }),
  // a column slice: rows n + 3 apart, starting 2 in
  sliced: (m, n) => ({ v: view([m, n], [n + 3, 1], 2), len: m * (n + 3) + 2 }),
};

const sample = fc
  .record({
    m: fc.integer({ min: 1, max: 9 }),
    n: fc.integer({ min: 1, max: 23 }),
    layout: fc.constantFrom(...Object.keys(LAYOUTS)),
    bFirst: fc.boolean(),
  })
  .chain((s) => {
    const len = LAYOUTS[s.layout](s.m, s.n).len;
    return fc.record({ s: fc.constant(s), a: edgy(s.m * s.n), b: edgy(len) });
  });

function run(backend: CpuBackend, op: BinaryOp, x: Float32Array, xv: StridedView, y: Float32Array, yv: StridedView) {
  const dtype = backend === oracle ? 'float64' : 'float32';
  const read = (d: Float32Array) => backend.fromArray(dtype === 'float64' ? Float64Array.from(d) : d, dtype);
  return backend.readSync(backend.binary(op, read(x), xv, read(y), yv, dtype));
}

describe('wasm binary kernels', () => {
  for (const op of WASM_BINARY_OPS) {
    it(`${op}: equals the float64 kernel rounded to float32 on every covered broadcast, either side`, () => {
      fc.assert(
        fc.property(sample, ({ s, a, b }) => {
          const full = view([s.m, s.n], [s.n, 1]);
          const bv = LAYOUTS[s.layout](s.m, s.n).v;
          const [x, xv, y, yv] = s.bFirst ? [b, bv, a, full] : [a, full, b, bv];
          // taken unless a single element merges into one all-splatted position, or a slice spans more floats
          // than twice the output (copying it would cost more than the op)
          const span = s.layout === 'sliced' ? (s.m - 1) * (s.n + 3) + s.n : 0;
          expect(wasmBinary(kernels, op, x, xv, y, yv, 0) !== null).toBe(s.m * s.n > 1 && span <= 2 * s.m * s.n);
          const got = run(wasm, op, x, xv, y, yv);
          expect(got).toBeInstanceOf(Float32Array);
          expect(Array.from(got)).toEqual(Array.from(Float32Array.from(run(oracle, op, x, xv, y, yv))));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('hands transposed, rank-3 and both-splatted walks back to the TypeScript kernel, which gets them right', () => {
    const a = Float32Array.from({ length: 24 }, (_, i) => i - 7.5);
    const b = Float32Array.from({ length: 24 }, (_, i) => 0.5 * i);
    const cases: [StridedView, StridedView][] = [
      [view([4, 6], [6, 1]), view([4, 6], [1, 4])], // b transposed
      [view([2, 3, 4], [12, 4, 1]), view([2, 3, 4], [0, 4, 1])], // [2, 3, 4] + [3, 4] merges ... to rank 2
      [view([2, 3, 4], [12, 4, 1]), view([2, 3, 4], [4, 0, 1])], // [2, 1, 4] broadcast: rank 3
      [view([4, 6], [1, 0]), view([4, 6], [0, 0])], // column with scalar: both splatted
    ];
    const handled = cases.map(([av, bv]) => wasmBinary(kernels, 'sub', a, av, b, bv, 0) !== null);
    expect(handled).toEqual([false, true, false, false]);
    for (const [av, bv] of cases) {
      const got = run(wasm, 'sub', a, av, b, bv);
      expect(Array.from(got)).toEqual(Array.from(Float32Array.from(run(oracle, 'sub', a, av, b, bv))));
    }
  });

  it('leaves ops under minElements to the TypeScript kernel', () => {
    const a = new Float32Array(7).fill(1);
    const v = view([7], [1]);
    expect(wasmBinary(kernels, 'add', a, v, a, v, 8)).toBeNull();
    expect(wasmBinary(kernels, 'add', a, v, a, v, 7)).not.toBeNull();
  });
});

describe('wasm where', () => {
  const ts32 = new CpuBackend({ wasm: false });
  const whereSample = fc
    .record({
      m: fc.integer({ min: 1, max: 9 }),
      n: fc.integer({ min: 1, max: 23 }),
      cLayout: fc.constantFrom(...Object.keys(LAYOUTS)),
      bLayout: fc.constantFrom(...Object.keys(LAYOUTS)),
      intCond: fc.boolean(),
    })
    .chain((s) =>
      fc.record({
        s: fc.constant(s),
        // conditions: 0, -0 (false), 1, -2, NaN (true)
        c: fc.array(fc.constantFrom(0, -0, 1, -2, NaN), {
          minLength: LAYOUTS[s.cLayout](s.m, s.n).len,
          maxLength: LAYOUTS[s.cLayout](s.m, s.n).len,
        }),
        a: floats(s.m * s.n),
        b: floats(LAYOUTS[s.bLayout](s.m, s.n).len),
      }),
    );

  it('equals the TypeScript kernel bit for bit, float32 and int32 conditions, every covered layout mix', () => {
    fc.assert(
      fc.property(whereSample, ({ s, c, a, b }) => {
        const full = view([s.m, s.n], [s.n, 1]);
        const cv = LAYOUTS[s.cLayout](s.m, s.n).v;
        const bv = LAYOUTS[s.bLayout](s.m, s.n).v;
        const dtype = s.intCond ? 'int32' : 'float32';
        const cond = s.intCond ? Int32Array.from(c, (x) => (Number.isNaN(x) ? 3 : x)) : Float32Array.from(c);
        const run = (B: CpuBackend) =>
          B.readSync(
            B.where(B.fromArray(cond, dtype), cv, B.fromArray(a, 'float32'), full, B.fromArray(b, 'float32'), bv),
          );
        const got = run(wasm);
        expect(got).toBeInstanceOf(Float32Array);
        expect(Array.from(got)).toEqual(Array.from(run(ts32)));
      }),
      { numRuns: 300 },
    );
  });

  it('takes the attention-mask shape (a [T, T] mask over [B*H] score blocks, a scalar fill) on the kernel', () => {
    const [bh, t] = [6, 7];
    const mask = Float32Array.from({ length: t * t }, (_, i) => +(i % t <= Math.floor(i / t)));
    const scores = Float32Array.from({ length: bh * t * t }, (_, i) => Math.cos(i));
    const mv = view([bh, t, t], [0, t, 1]),
      sv = view([bh, t, t], [t * t, t, 1]),
      fill = view([bh, t, t], [0, 0, 0]);
    const got = wasmWhere(kernels, mask, mv, scores, sv, Float32Array.of(-1e9), fill, 0)!;
    expect(got).not.toBeNull();
    // by hand: row i of each block keeps columns j <= i
    got.forEach((v, k) => {
      const [i, j] = [Math.floor(k / t) % t, k % t];
      expect(v).toBe(j <= i ? scores[k] : -1e9);
    });
  });
});

describe('wasm unary kernels', () => {
  for (const op of WASM_UNARY_OPS) {
    it(`${op}: equals the float64 kernel rounded to float32, lengths 1 to 41`, () => {
      const domain = op === 'sqrt' ? (x: number) => Math.abs(x) : (x: number) => x;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 41 }).chain(floats),
          fc.constantFrom(0, -0, Infinity, -Infinity, NaN),
          (xs, special) => {
            const x = Float32Array.from(xs, domain);
            x[0] = special === 0 ? x[0] : op === 'sqrt' && special < 0 ? x[0] : special;
            const got = wasm.readSync(wasm.unary(op as UnaryOp, wasm.fromArray(x, 'float32')));
            const want = oracle.readSync(
              oracle.unary(op as UnaryOp, oracle.fromArray(Float64Array.from(x), 'float64')),
            );
            expect(got).toBeInstanceOf(Float32Array);
            expect(Array.from(got)).toEqual(Array.from(Float32Array.from(want)));
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

describe('wasm sums', () => {
  const shapes = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 });
  const sumSample = shapes.chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      // a consecutive run of axes
      first: fc.integer({ min: 0, max: shape.length - 1 }),
      count: fc.integer({ min: 1, max: shape.length }),
      x: floats(shape.reduce((p, q) => p * q, 1)),
    }),
  );

  const axesOf = (shape: number[], first: number, count: number) =>
    Array.from({ length: Math.min(count, shape.length - first) }, (_, i) => first + i);

  it('match the float64 kernel within float32 rounding, over a leading, middle or last run of axes', () => {
    fc.assert(
      fc.property(sumSample, ({ shape, first, count, x }) => {
        const axes = axesOf(shape, first, count);
        const got = wasm.readSync(wasm.reduce('sum', wasm.fromArray(x, 'float32'), shape, axes));
        const want = oracle.readSync(
          oracle.reduce('sum', oracle.fromArray(Float64Array.from(x), 'float64'), shape, axes),
        );
        expect(got).toBeInstanceOf(Float32Array);
        expect(got.length).toBe(want.length);
        // a float64 sum of float32 values, rounded once
        want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(w))));
      }),
      { numRuns: 200 },
    );
  });

  it('equal the float32 TypeScript kernel bit for bit (the same float64 sums, in the same order)', () => {
    const ts32 = new CpuBackend({ wasm: false });
    // values of very different sizes, so a float32 running sum (instead of float64) shows in the rounded result
    const wide = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const cases: [number[], number[]][] = [
      [[64, 10], [0]],
      [[3, 5, 7], [1]],
      [[2, 1, 2], [1]],
      [[1, 33, 257], [1]],
      [[7, 1001], [1]],
      [[9, 3], [1]],
      [
        [5, 6, 7],
        [1, 2],
      ],
      [[1], [0]],
    ];
    for (const [shape, axes] of cases) {
      const x = wide(shape.reduce((p, q) => p * q, 1));
      const got = wasm.readSync(wasm.reduce('sum', wasm.fromArray(x, 'float32'), shape, axes));
      const want = ts32.readSync(ts32.reduce('sum', ts32.fromArray(x, 'float32'), shape, axes));
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('leave empty reductions, empty outputs and small last-axis sums to the TypeScript kernel', () => {
    expect(wasmSum(kernels, new Float32Array(0), 4, 0, 3)).toBeNull();
    expect(wasmSum(kernels, new Float32Array(0), 0, 4, 3)).toBeNull();
    // a small last-axis sum is left to TypeScript unless the threshold says otherwise; a small leading-axis one is not
    const ten = Float32Array.from({ length: 10 }, (_, i) => i);
    expect(wasmSum(kernels, ten, 2, 5, 1)).toBeNull();
    expect(Array.from(wasmSum(kernels, ten, 2, 5, 1, 0)!)).toEqual([10, 35]);
    expect(Array.from(wasmSum(kernels, ten, 1, 5, 2)!)).toEqual([20, 25]);
    const zeros = wasm.readSync(wasm.reduce('sum', wasm.fromArray(new Float32Array(0), 'float32'), [2, 0], [1]));
    expect(Array.from(zeros)).toEqual([0, 0]);
  });
});

describe('wasm SGD update', () => {
  it('is bit-identical to the TypeScript float32 update with and without scale, weight decay and momentum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }).chain((n) => fc.tuple(floats(n), floats(n), floats(n))),
        fc.record({
          lr: fc.double({ min: 1e-4, max: 1, noNaN: true }),
          momentum: fc.constantFrom(0, 0.9),
          weightDecay: fc.constantFrom(0, 1e-2),
        }),
        fc.option(fc.double({ min: 0.01, max: 2, noNaN: true }), { nil: undefined }),
        ([p, g, buf], spec, scale) => {
          const buffer = spec.momentum > 0 ? buf : undefined;
          const got = wasmSgdUpdate(kernels, p, g, buffer, spec, scale)!;
          const want = sgdUpdate(p, g, buffer, spec, scale, 'float32');
          expect(got.param).toBeInstanceOf(Float32Array);
          expect(Array.from(got.param)).toEqual(Array.from(want.param));
          expect(got.momentumBuffer && Array.from(got.momentumBuffer)).toEqual(
            want.momentumBuffer && Array.from(want.momentumBuffer),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('moves the parameter against the gradient (a hand-worked step)', () => {
    const out = wasmSgdUpdate(
      kernels,
      Float32Array.of(1, 2, 3, 4, 5),
      Float32Array.of(10, 0, -10, 1, 2),
      undefined,
      {
        lr: 0.5,
        momentum: 0,
        weightDecay: 0,
      },
      undefined,
    )!;
    expect(Array.from(out.param)).toEqual([-4, 2, 8, 3.5, 4]);
  });
});
