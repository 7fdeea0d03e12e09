// Every Backend primitive on WebGPU against the CPU backend in float64, called directly (not through the op layer),
// with strided views the op layer would build (broadcast, permuted, offset) and sizes that cross the kernels'
// boundaries: more than one 64-thread workgroup, rows longer than a reduction workgroup, matmul dims that are not
// multiples of the 32x32 tile or the 16-deep k step, and size-1 dims.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BinaryOp, DType, Storage, StridedView, TypedArray, UnaryOp } from '../../src/index.js';
import { BINARY_OPS } from '../../src/backends/backend.js';
import { getBackend } from '../../src/index.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
const cpu = getBackend('cpu');
const RUNS = 15;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const strides = (shape: readonly number[]): number[] => shape.map((_, d) => size(shape.slice(d + 1)));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uploads the same values to the GPU (as `dtype`) and to the CPU oracle (float64, or int32 for ints). */
function both(values: ArrayLike<number>, dtype: DType): [Storage, Storage] {
  const g = gpu!.fromArray(dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values), dtype);
  const f32 = Float32Array.from(values); // the GPU holds float32: give the oracle the same rounded inputs
  const c =
    dtype === 'int32'
      ? cpu.fromArray(Int32Array.from(values), 'int32')
      : cpu.fromArray(Float64Array.from(f32), 'float64');
  return [g, c];
}

async function take(s: Storage): Promise<TypedArray> {
  const v = await gpu!.read(s);
  gpu!.dispose(s);
  return v;
}

function oracle(s: Storage): TypedArray {
  const v = cpu.readSync!(s).slice();
  cpu.dispose(s);
  return v;
}

/** |a - e| <= tol (1 + |e|) against the float32-rounded oracle; NaN and infinities must match exactly. */
function expectClose(what: string, actual: TypedArray, expected: TypedArray, tol: number): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = Math.fround(expected[i]);
    const a = actual[i];
    const ok = Number.isFinite(e)
      ? Math.abs(a - e) <= tol * (1 + Math.abs(e))
      : Object.is(a, e) || (Number.isNaN(e) && Number.isNaN(a));
    if (!ok) throw new Error(`${what}: element ${i} is ${a}, expected ${expected[i]} (tol ${tol})`);
  }
}

/** A random view over a buffer: its own dim order (a permute), broadcast dims (stride 0) and a leading offset. */
const viewArb = (shape: readonly number[]): fc.Arbitrary<{ view: StridedView; bufferSize: number }> =>
  fc
    .tuple(
      fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.nat(3),
    )
    .map(([order, broadcast, offset]) => {
      const held = shape.map((d, i) => (broadcast[i] ? 1 : d));
      const inOrder = order.map((d) => held[d]);
      const s = strides(inOrder);
      const st = new Array<number>(shape.length);
      order.forEach((d, j) => (st[d] = broadcast[d] ? 0 : s[j]));
      return { view: { shape: [...shape], strides: st, offset }, bufferSize: size(held) + offset };
    });

/** Shapes of rank 0-4 with up to ~3000 elements; dims reach past one 64-wide workgroup. */
const shapeArb = fc
  .array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 60, max: 140 })), { maxLength: 4 })
  .filter((s) => size(s) <= 3000);

const values = (n: number, seed: number, lo = -3, hi = 3): number[] => {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
};

describe.skipIf(!gpu)('webgpu primitives vs the float64 cpu oracle', () => {
  const UNARY: Array<[UnaryOp, number, number]> = [
    ['neg', -3, 3],
    ['exp', -10, 10],
    ['log', 0.01, 50],
    ['sqrt', 0, 50],
    ['tanh', -12, 12],
    ['abs', -3, 3],
    ['sign', -3, 3],
    ['sigmoid', -40, 40],
    ['expm1', -3, 3],
    ['log1p', -0.9, 5],
    ['reciprocal', 0.1, 5],
  ];
  it('unary maps over random sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 700 }), fc.integer(), async (n, seed) => {
        for (const [op, lo, hi] of UNARY) {
          const [g, c] = both(values(n, seed, lo, hi), 'float32');
          expectClose(op, await take(gpu!.unary(op, g)), oracle(cpu.unary(op, c)), 2e-6);
          gpu!.dispose(g);
          cpu.dispose(c);
        }
      }),
      { numRuns: 6 },
    );
  });

  it('unary maps at their edges (0, tiny, huge, inf, NaN) agree with the cpu, including where results overflow', async () => {
    const edge = [
      0,
      1e-7,
      -1e-7,
      1e-3,
      -1e-3,
      0.49,
      -0.49,
      0.51,
      1,
      -1,
      20,
      -20,
      88,
      -88,
      100,
      -100,
      1e30,
      -1e30,
      Infinity,
      -Infinity,
      NaN,
    ];
    for (const [op] of UNARY) {
      const [g, c] = both(edge, 'float32');
      // WGSL lets exp lose 3 + 2|x| ulp: at x = 88 that is ~1e-5 relative on a conforming GPU
      expectClose(op, await take(gpu!.unary(op, g)), oracle(cpu.unary(op, c)), op === 'exp' ? 2e-5 : 3e-6);
      gpu!.dispose(g);
      cpu.dispose(c);
    }
    // the ops outside their domain give NaN, as on the CPU
    const [g, c] = both([-1, -0.5, -2], 'float32');
    for (const op of ['log', 'sqrt', 'log1p'] as const) {
      expectClose(op, await take(gpu!.unary(op, g)), oracle(cpu.unary(op, c)), 0);
    }
    gpu!.dispose(g);
    cpu.dispose(c);
  });

  it('int32 unary (neg, abs, sign)', async () => {
    const [g, c] = both([-5, 0, 7, -2147483647, 3], 'int32');
    for (const op of ['neg', 'abs', 'sign'] as const)
      expect(Array.from(await take(gpu!.unary(op, g)))).toEqual(Array.from(oracle(cpu.unary(op, c))));
  });

  const FLOAT_BINARY: BinaryOp[] = [...BINARY_OPS];
  it('binary ops through random broadcast/permuted/offset views', async () => {
    const arb = shapeArb.chain((shape) => fc.tuple(viewArb(shape), viewArb(shape), fc.integer()));
    await fc.assert(
      fc.asyncProperty(arb, async ([a, b, seed]) => {
        // a coarse grid so comparisons see ties; positive bases for pow's non-integer exponents
        const av = values(a.bufferSize, seed, 0.25, 3).map((v) => Math.round(v * 4) / 4);
        const bv = values(b.bufferSize, seed + 1, -2, 2).map((v) => Math.round(v * 4) / 4 || 0.5);
        const [ga, ca] = both(av, 'float32');
        const [gb, cb] = both(bv, 'float32');
        for (const op of FLOAT_BINARY) {
          const got = await take(gpu!.binary(op, ga, a.view, gb, b.view, 'float32'));
          // pow is exp2(y log2 x): both builtins' error allowances add up
          expectClose(op, got, oracle(cpu.binary(op, ca, a.view, cb, b.view, 'float64')), op === 'pow' ? 1e-5 : 2e-6);
        }
        [ga, gb].forEach((s) => gpu!.dispose(s));
        [ca, cb].forEach((s) => cpu.dispose(s));
      }),
      { numRuns: RUNS },
    );
  });

  it('int32 binary ops and comparisons', async () => {
    const arb = shapeArb.chain((shape) => fc.tuple(viewArb(shape), viewArb(shape), fc.integer()));
    await fc.assert(
      fc.asyncProperty(arb, async ([a, b, seed]) => {
        const [ga, ca] = both(values(a.bufferSize, seed, -50, 50).map(Math.round), 'int32');
        const [gb, cb] = both(values(b.bufferSize, seed + 1, -50, 50).map(Math.round), 'int32');
        for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum', 'lt', 'eq', 'ne'] as const) {
          const got = await take(gpu!.binary(op, ga, a.view, gb, b.view, 'int32'));
          expect(Array.from(got), op).toEqual(Array.from(oracle(cpu.binary(op, ca, a.view, cb, b.view, 'int32'))));
        }
        [ga, gb].forEach((s) => gpu!.dispose(s));
        [ca, cb].forEach((s) => cpu.dispose(s));
      }),
      { numRuns: 8 },
    );
  });

  it('maximum/minimum propagate NaN like the cpu', async () => {
    const [ga, ca] = both([NaN, 1, NaN, -Infinity], 'float32');
    const [gb, cb] = both([1, NaN, NaN, 2], 'float32');
    const v: StridedView = { shape: [4], strides: [1], offset: 0 };
    for (const op of ['maximum', 'minimum'] as const) {
      expectClose(
        op,
        await take(gpu!.binary(op, ga, v, gb, v, 'float32')),
        oracle(cpu.binary(op, ca, v, cb, v, 'float64')),
        0,
      );
    }
  });

  it('where, copyStrided and cast through random views', async () => {
    const arb = shapeArb.chain((shape) =>
      fc.tuple(viewArb(shape), viewArb(shape), viewArb(shape), fc.boolean(), fc.integer()),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([c, a, b, intCond, seed]) => {
        const condDtype = intCond ? 'int32' : 'float32';
        const [gc, cc] = both(values(c.bufferSize, seed, 0, 2).map(Math.floor), condDtype);
        const [ga, ca] = both(values(a.bufferSize, seed + 1), 'float32');
        const [gb, cb] = both(values(b.bufferSize, seed + 2), 'float32');
        expectClose(
          'where',
          await take(gpu!.where(gc, c.view, ga, a.view, gb, b.view)),
          oracle(cpu.where(cc, c.view, ca, a.view, cb, b.view)),
          0,
        );
        expectClose('copyStrided', await take(gpu!.copyStrided(ga, a.view)), oracle(cpu.copyStrided(ca, a.view)), 0);
        expectClose('cast to int32', await take(gpu!.cast(ga, 'int32')), oracle(cpu.cast(ca, 'int32')), 0);
        const [gi, ci] = both(
          values(a.bufferSize, seed).map((v) => Math.round(v * 1000)),
          'int32',
        );
        expectClose('cast to float32', await take(gpu!.cast(gi, 'float32')), oracle(cpu.cast(ci, 'float64')), 0);
        [gc, ga, gb, gi].forEach((s) => gpu!.dispose(s));
        [cc, ca, cb, ci].forEach((s) => cpu.dispose(s));
      }),
      { numRuns: RUNS },
    );
  });

  it('sum / max / argmax over any set of axes, rows longer and shorter than a workgroup', async () => {
    const arb = shapeArb
      .filter((s) => s.length > 0)
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.subarray([...shape.keys()]),
          fc.integer({ min: 0, max: shape.length - 1 }),
          fc.integer(),
        ),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ([shape, axes, axis, seed]) => {
        const [g, c] = both(values(size(shape), seed), 'float32');
        expectClose(
          'sum',
          await take(gpu!.reduce('sum', g, shape, axes)),
          oracle(cpu.reduce('sum', c, shape, axes)),
          1e-5,
        );
        expectClose(
          'max',
          await take(gpu!.reduce('max', g, shape, axes)),
          oracle(cpu.reduce('max', c, shape, axes)),
          0,
        );
        expectClose(
          'argmax',
          await take(gpu!.reduce('argmax', g, shape, [axis])),
          oracle(cpu.reduce('argmax', c, shape, [axis])),
          0,
        );
        gpu!.dispose(g);
        cpu.dispose(c);
      }),
      { numRuns: RUNS },
    );
  });

  it('long rows (reduced in two passes) agree with the cpu, including a NaN in a late piece', async () => {
    const cases: Array<[number[], number[]]> = [
      [[3, 9000], [1]],
      [[20000], [0]],
      [[9000, 2], [0]],
      [
        [2, 8193],
        [0, 1],
      ],
    ];
    for (const [shape, axes] of cases) {
      const v = values(size(shape), size(shape));
      if (shape[0] === 3) v[2 * 9000 + 8500] = NaN; // the last row's max and argmax must see it
      const [g, c] = both(v, 'float32');
      expectClose(
        `sum [${shape}]`,
        await take(gpu!.reduce('sum', g, shape, axes)),
        oracle(cpu.reduce('sum', c, shape, axes)),
        1e-5,
      );
      expectClose(
        `max [${shape}]`,
        await take(gpu!.reduce('max', g, shape, axes)),
        oracle(cpu.reduce('max', c, shape, axes)),
        0,
      );
      if (axes.length === 1) {
        expectClose(
          `argmax [${shape}]`,
          await take(gpu!.reduce('argmax', g, shape, axes)),
          oracle(cpu.reduce('argmax', c, shape, axes)),
          0,
        );
      }
      gpu!.dispose(g);
      cpu.dispose(c);
    }
  });

  it('max/argmax: ties pick the first index, NaN wins (the first NaN), as on the cpu', async () => {
    const rows = [
      [1, 5, 5, 2],
      [NaN, 1, 2, 3],
      [1, NaN, 9, NaN],
      [-Infinity, -Infinity, -Infinity, -Infinity],
      ...[Array.from({ length: 100 }, (_, i) => (i % 7 === 3 ? 50 : i % 5))],
    ];
    for (const row of rows) {
      const shape = [1, row.length];
      const [g, c] = both(row, 'float32');
      for (const op of ['max', 'argmax'] as const) {
        expectClose(
          `${op} of [${row.slice(0, 6)}...]`,
          await take(gpu!.reduce(op, g, shape, [1])),
          oracle(cpu.reduce(op, c, shape, [1])),
          0,
        );
      }
    }
    // int32 sums and maxima
    const [g, c] = both([3, -7, 12, 5, 0, -1], 'int32');
    for (const op of ['sum', 'max', 'argmax'] as const) {
      expect(Array.from(await take(gpu!.reduce(op, g, [2, 3], [1])))).toEqual(
        Array.from(oracle(cpu.reduce(op, c, [2, 3], [1]))),
      );
    }
  });

  it('matmul: tiles, transposes and broadcast batch dims', async () => {
    const d = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 15, max: 70 }));
    const batchArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(2)), { maxLength: 2 });
    await fc.assert(
      fc.asyncProperty(
        d,
        d,
        d,
        fc.boolean(),
        fc.boolean(),
        batchArb,
        fc.integer(),
        async (m, n, k, transA, transB, batch, seed) => {
          const batchShape = batch.map(([b]) => b);
          // a batch dim where one operand is broadcast (stride 0) when the flag says so
          const aHeld = batch.map(([b, f]) => (f === 1 ? 1 : b));
          const bHeld = batch.map(([b, f]) => (f === 2 ? 1 : b));
          const bstr = (held: number[], mat: number): number[] =>
            strides(held).map((s, i) => (held[i] === 1 ? 0 : s * mat));
          const spec = {
            batchShape,
            aBatchStrides: bstr(aHeld, m * k),
            bBatchStrides: bstr(bHeld, k * n),
            m,
            n,
            k,
            transA,
            transB,
          };
          const [ga, ca] = both(values(size(aHeld) * m * k, seed, -1, 1), 'float32');
          const [gb, cb] = both(values(size(bHeld) * k * n, seed + 1, -1, 1), 'float32');
          expectClose(
            `matmul ${m}x${k}x${n} ${transA}/${transB} [${batchShape}]`,
            await take(gpu!.matmul(ga, gb, spec)),
            oracle(cpu.matmul(ca, cb, spec)),
            2e-5 * Math.sqrt(k),
          );
          [ga, gb].forEach((s) => gpu!.dispose(s));
          [ca, cb].forEach((s) => cpu.dispose(s));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('concat along any axis', async () => {
    const arb = shapeArb
      .filter((s) => s.length > 0)
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.integer({ min: 0, max: shape.length - 1 }),
          fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 4 }),
          fc.integer(),
        ),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ([shape, axis, widths, seed]) => {
        const shapes = widths.map((w) => shape.map((dd, i) => (i === axis ? w : dd)));
        const pairs = shapes.map((s, i) => both(values(size(s), seed + i), 'float32'));
        const got = await take(
          gpu!.concat(
            pairs.map((p) => p[0]),
            shapes,
            axis,
          ),
        );
        expectClose(
          'concat',
          got,
          oracle(
            cpu.concat(
              pairs.map((p) => p[1]),
              shapes,
              axis,
            ),
          ),
          0,
        );
        pairs.forEach(([g, c]) => {
          gpu!.dispose(g);
          cpu.dispose(c);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('gather and scatterAdd (repeated indices accumulate) along any axis', async () => {
    const arb = fc
      .array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 })
      .chain((xShape) =>
        fc.tuple(
          fc.constant(xShape),
          fc.integer({ min: 0, max: xShape.length - 1 }),
          fc.array(fc.nat(1), { minLength: xShape.length, maxLength: xShape.length }),
          fc.integer({ min: 1, max: 90 }),
          fc.integer(),
        ),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ([xShape, axis, shrink, len, seed]) => {
        const idxShape = xShape.map((dd, i) => (i === axis ? len : Math.max(1, dd - shrink[i])));
        const r = rng(seed);
        const index = Array.from({ length: size(idxShape) }, () => Math.floor(r() * xShape[axis]));
        const [gx, cx] = both(values(size(xShape), seed), 'float32');
        const [gi, ci] = both(index, 'int32');
        expectClose(
          'gather',
          await take(gpu!.gather(gx, xShape, axis, gi, idxShape)),
          oracle(cpu.gather(cx, xShape, axis, ci, idxShape)),
          0,
        );
        const [gs, cs] = both(values(size(idxShape), seed + 3), 'float32');
        const got = await take(gpu!.scatterAdd(xShape, axis, gi, gs, idxShape));
        expectClose('scatterAdd', got, oracle(cpu.scatterAdd(xShape, axis, ci, cs, idxShape)), 1e-5);
        [gx, gi, gs].forEach((s) => gpu!.dispose(s));
        [cx, ci, cs].forEach((s) => cpu.dispose(s));
      }),
      { numRuns: RUNS },
    );
  });
});

describe.skipIf(!gpu)('webgpu fused kernels vs float64 formulas', () => {
  const rowsArb = fc.tuple(
    fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 60, max: 150 })),
    fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 60, max: 200 })),
    fc.integer(),
  );
  const eachRow = (v: ArrayLike<number>, rows: number, d: number, f: (row: number[]) => number[]): number[] =>
    Array.from({ length: rows }, (_, r) => f(Array.from(v).slice(r * d, (r + 1) * d))).flat();
  const f32 = (v: number[]): number[] => Array.from(Float32Array.from(v));
  const sum = (r: number[]): number => r.reduce((a, b) => a + b, 0);

  it('softmax, logSoftmax, layerNorm and their backwards, rows shorter and longer than a workgroup', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, async ([rows, d, seed]) => {
        const xv = f32(values(rows * d, seed, -4, 4));
        const gv = f32(values(rows * d, seed + 1, -1, 1));
        const x = gpu!.fromArray(Float32Array.from(xv), 'float32');
        const g = gpu!.fromArray(Float32Array.from(gv), 'float32');
        const softmax = eachRow(xv, rows, d, (r) => {
          const m = Math.max(...r);
          const e = r.map((v) => Math.exp(v - m));
          return e.map((v) => v / sum(e));
        });
        const logSoftmax = eachRow(xv, rows, d, (r) => {
          const m = Math.max(...r);
          const l = Math.log(sum(r.map((v) => Math.exp(v - m)))) + m;
          return r.map((v) => v - l);
        });
        const y = gpu!.softmax!(x, rows, d);
        expectClose('softmax', await gpu!.read(y), Float64Array.from(softmax), 1e-6);
        const ly = gpu!.logSoftmax!(x, rows, d);
        expectClose('logSoftmax', await gpu!.read(ly), Float64Array.from(logSoftmax), 2e-6);
        const dy = Array.from(await gpu!.read(y));
        const sb = eachRow(
          dy.flatMap((v, i) => [v, gv[i]]),
          rows,
          2 * d,
          (pairs) => {
            const yy = pairs.filter((_, i) => i % 2 === 0);
            const gg = pairs.filter((_, i) => i % 2 === 1);
            const dot = sum(yy.map((v, i) => v * gg[i]));
            return yy.map((v, i) => v * (gg[i] - dot));
          },
        );
        expectClose('softmaxBackward', await take(gpu!.softmaxBackward!(y, g, rows, d)), Float64Array.from(sb), 2e-6);
        const lyv = Array.from(await gpu!.read(ly));
        const lb = eachRow(
          lyv.flatMap((v, i) => [v, gv[i]]),
          rows,
          2 * d,
          (pairs) => {
            const yy = pairs.filter((_, i) => i % 2 === 0);
            const gg = pairs.filter((_, i) => i % 2 === 1);
            return gg.map((v, i) => v - Math.exp(yy[i]) * sum(gg));
          },
        );
        expectClose(
          'logSoftmaxBackward',
          await take(gpu!.logSoftmaxBackward!(ly, g, rows, d)),
          Float64Array.from(lb),
          1e-5,
        );
        const eps = 1e-5;
        const stats = Array.from({ length: rows }, (_, r) => {
          const row = xv.slice(r * d, (r + 1) * d);
          const mean = sum(row) / d;
          return { mean, rstd: 1 / Math.sqrt(sum(row.map((v) => (v - mean) ** 2)) / d + eps) };
        });
        const ln = gpu!.layerNorm!(x, rows, d, eps);
        const xhat = xv.map((v, i) => (v - stats[Math.floor(i / d)].mean) * stats[Math.floor(i / d)].rstd);
        expectClose('layerNorm', await gpu!.read(ln.y), Float64Array.from(xhat), 2e-5);
        expectClose('layerNorm rstd', await gpu!.read(ln.rstd), Float64Array.from(stats.map((s) => s.rstd)), 2e-5);
        const xh = Array.from(await gpu!.read(ln.y));
        const lnb = Array.from({ length: rows }, (_, r) => {
          const gg = gv.slice(r * d, (r + 1) * d);
          const hh = xh.slice(r * d, (r + 1) * d);
          const mg = sum(gg) / d;
          const mgx = sum(gg.map((v, i) => v * hh[i])) / d;
          return gg.map((v, i) => stats[r].rstd * (v - mg - hh[i] * mgx));
        }).flat();
        expectClose(
          'layerNormBackward',
          await take(gpu!.layerNormBackward!(ln.y, ln.rstd, g, rows, d)),
          Float64Array.from(lnb),
          2e-5,
        );
        for (const s of [x, g, y, ly, ln.y, ln.rstd]) gpu!.dispose(s);
      }),
      { numRuns: 10 },
    );
  });

  it('softmax rows with -inf, +inf and NaN behave like the composition on the cpu', async () => {
    const rows = [
      [-Infinity, -Infinity, -Infinity],
      [1, -Infinity, 2],
      [1, Infinity, 2],
      [NaN, 1, 2],
    ];
    for (const r of rows) {
      const x = gpu!.fromArray(Float32Array.from(r), 'float32');
      const c = cpu.fromArray(Float64Array.from(r), 'float64');
      for (const op of ['softmax', 'logSoftmax'] as const) {
        // the composition the op layer falls back to: exp(x - shift) / sum, shift = the row max unless infinite
        const m = oracle(cpu.reduce('max', c, [1, 3], [1]))[0];
        const shift = Number.isFinite(m) || Number.isNaN(m) ? m : 0;
        const e = r.map((v) => Math.exp(v - shift));
        const s = e.reduce((a, b) => a + b, 0);
        const expected = op === 'softmax' ? e.map((v) => v * (1 / s)) : r.map((v) => v - (Math.log(s) + shift));
        expectClose(`${op} [${r}]`, await take(gpu![op]!(x, 1, 3)), Float64Array.from(expected), 1e-6);
      }
      gpu!.dispose(x);
      cpu.dispose(c);
    }
  });

  it('gelu and its derivative', async () => {
    const n = 1000;
    const xv = f32(values(n, 3, -6, 6));
    const gv = f32(values(n, 4, -1, 1));
    const c = Math.sqrt(2 / Math.PI);
    const a = 0.044715;
    const t = xv.map((v) => Math.tanh(c * (v + a * v ** 3)));
    const x = gpu!.fromArray(Float32Array.from(xv), 'float32');
    const g = gpu!.fromArray(Float32Array.from(gv), 'float32');
    expectClose('gelu', await take(gpu!.gelu!(x)), Float64Array.from(xv.map((v, i) => 0.5 * v * (1 + t[i]))), 2e-6);
    const slope = xv.map((v, i) => 0.5 * (1 + t[i]) + 0.5 * v * (1 - t[i] ** 2) * c * (1 + 3 * a * v * v));
    expectClose(
      'geluBackward',
      await take(gpu!.geluBackward!(x, g)),
      Float64Array.from(slope.map((s, i) => s * gv[i])),
      2e-6,
    );
    gpu!.dispose(x);
    gpu!.dispose(g);
  });
});
