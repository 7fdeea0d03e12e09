// fast-check generators for op tests: shapes (scalars, size-1 dims, broadcasting families), axes, and value
// domains that stay away from each op's documented kinks. Values come from a seeded PRNG driven by a fast-check
// integer, so a failing case is reproducible from fast-check's printed seed and path.

import fc from 'fast-check';

export type Rnd = () => number;

/** mulberry32: a tiny deterministic PRNG for filling test tensors. */
export function prng(seed: number): Rnd {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Fills n values; a domain may look at all of them at once (e.g. to keep them distinct). */
export type Domain = (n: number, rnd: Rnd) => number[];

export const uniform =
  (lo: number, hi: number): Domain =>
  (n, rnd) =>
    Array.from({ length: n }, () => lo + (hi - lo) * rnd());

/** |x| in [lo, hi] with a random sign: keeps relu/abs/division away from 0. */
export const awayFromZero =
  (lo: number, hi: number): Domain =>
  (n, rnd) =>
    Array.from({ length: n }, () => (rnd() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rnd()));

/** k + u for integer k in [-2, 1] and u in [lo, hi]: two such domains with disjoint [lo, hi] never tie. */
export const offsetGrid =
  (lo: number, hi: number): Domain =>
  (n, rnd) =>
    Array.from({ length: n }, () => Math.floor(rnd() * 4) - 2 + lo + (hi - lo) * rnd());

/** Pairwise at least `spacing` apart (a shuffled ladder with small jitter): no ties for max/min, no zero variance. */
export const distinct =
  (spacing: number): Domain =>
  (n, rnd) => {
    const rungs = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [rungs[i], rungs[j]] = [rungs[j], rungs[i]];
    }
    return rungs.map((r) => (r - n / 2) * spacing + 0.1 * spacing * rnd());
  };

export const choices =
  (values: readonly number[]): Domain =>
  (n, rnd) =>
    Array.from({ length: n }, () => values[Math.floor(rnd() * values.length)]);

export const integersBelow =
  (bound: number): Domain =>
  (n, rnd) =>
    Array.from({ length: n }, () => Math.floor(rnd() * bound));

export interface ShapeOptions {
  minRank?: number;
  maxRank?: number;
  minDim?: number;
  maxDim?: number;
}

export function shapeArb({
  minRank = 0,
  maxRank = 3,
  minDim = 1,
  maxDim = 4,
}: ShapeOptions = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * `count` shapes that broadcast together: each is a common shape with some leading dims dropped and some dims set
 * to 1 (so scalars, size-1 dims and rank differences all occur).
 */
export function broadcastingShapes(count: number, opts: ShapeOptions = {}): fc.Arbitrary<number[][]> {
  const maxRank = opts.maxRank ?? 3;
  // per dim, a 1-in-4 chance of being squeezed to size 1
  const variant = fc.tuple(
    fc.integer({ min: 0, max: maxRank }),
    fc.array(fc.nat(3), { minLength: maxRank, maxLength: maxRank }),
  );
  return fc
    .tuple(shapeArb({ ...opts, maxRank }), fc.array(variant, { minLength: count, maxLength: count }))
    .map(([common, variants]) =>
      variants.map(([drop, ones]) =>
        common.slice(Math.min(drop, common.length)).map((d, i) => (ones[i] === 0 ? 1 : d)),
      ),
    );
}

/** An axes argument for a reduction over `rank` dims: undefined (all), one number, or a list, some negative. */
export function axesArb(rank: number): fc.Arbitrary<number | number[] | undefined> {
  const flags = fc.array(fc.boolean(), { minLength: rank, maxLength: rank });
  return fc.tuple(fc.boolean(), flags, flags, fc.boolean()).map(([all, pick, negative, asNumber]) => {
    if (all) return undefined;
    const axes = pick.flatMap((p, a) => (p ? [negative[a] ? a - rank : a] : []));
    return asNumber && axes.length === 1 ? axes[0] : axes;
  });
}

/** A single axis in [-rank, rank). */
export const axisArb = (rank: number): fc.Arbitrary<number> => fc.integer({ min: -rank, max: rank - 1 });

/** Pairs a structural arbitrary with a PRNG for filling values. */
export function withRnd<T, S>(arb: fc.Arbitrary<T>, build: (t: T, rnd: Rnd) => S): fc.Arbitrary<S> {
  return fc.tuple(arb, fc.integer()).map(([t, seed]) => build(t, prng(seed)));
}
