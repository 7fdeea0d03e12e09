// Shared by the loss tests: random batches (fast-check) and a plain-JS re-derivation of every formula in
// docs/losses.md, written from the document, independently of src/losses.

import fc from 'fast-check';
import { tensor, type Tensor } from '../../src/index.js';
import type { PreferenceInputs } from '../../src/losses/index.js';

/** A [rows, cols] matrix of per-token log-probs with a 0/1 mask holding at least one 1 per row. */
export interface Side {
  values: number[][];
  mask: number[][];
}

export interface Batch {
  chosen: Side;
  rejected: Side;
  refChosen: number[][];
  refRejected: number[][];
}

const logp = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

function sideArb(rows: number, cols: number, min: number, max: number): fc.Arbitrary<Side> {
  const row = fc
    .tuple(
      fc.array(logp(min, max), { minLength: cols, maxLength: cols }),
      fc.array(fc.boolean(), { minLength: cols, maxLength: cols }),
      fc.integer({ min: 0, max: cols - 1 }),
    )
    .map(([values, bits, forced]) => ({ values, mask: bits.map((b, i) => (b || i === forced ? 1 : 0)) }));
  return fc
    .array(row, { minLength: rows, maxLength: rows })
    .map((rs) => ({ values: rs.map((r) => r.values), mask: rs.map((r) => r.mask) }));
}

/** Random batch sizes 1..3, lengths 1..4 (chosen and rejected independently), masks and values in [min, max]. */
export function batchArb(min = -4, max = -0.05): fc.Arbitrary<Batch> {
  return fc
    .record({
      b: fc.integer({ min: 1, max: 3 }),
      tw: fc.integer({ min: 1, max: 4 }),
      tl: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ b, tw, tl }) =>
      fc.record({
        chosen: sideArb(b, tw, min, max),
        rejected: sideArb(b, tl, min, max),
        refChosen: fc.array(fc.array(logp(min, max), { minLength: tw, maxLength: tw }), { minLength: b, maxLength: b }),
        refRejected: fc.array(fc.array(logp(min, max), { minLength: tl, maxLength: tl }), {
          minLength: b,
          maxLength: b,
        }),
      }),
    );
}

export const f64 = (rows: number[][]): Tensor => tensor(rows, { dtype: 'float64' });

/** The tensors a loss takes, in float64 (or float32 for the dtype tests). */
export function inputsOf(b: Batch, dtype: 'float32' | 'float64' = 'float64'): PreferenceInputs {
  const t = (rows: number[][]): Tensor => tensor(rows, { dtype });
  return {
    chosenLogps: t(b.chosen.values),
    chosenMask: t(b.chosen.mask),
    rejectedLogps: t(b.rejected.values),
    rejectedMask: t(b.rejected.mask),
    refChosenLogps: t(b.refChosen),
    refRejectedLogps: t(b.refRejected),
  };
}

// ---- plain-JS formulas (numbers only) ----

export const sigma = (z: number): number => 1 / (1 + Math.exp(-z));
/** log(sigmoid(z)), stable both ways. */
export const logsig = (z: number): number => (z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));
export const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function rowSum(values: number[][], mask: number[][], i: number): number {
  return values[i].reduce((acc, v, t) => acc + (mask[i][t] ? v : 0), 0);
}
export function rowMean(values: number[][], mask: number[][], i: number): number {
  return rowSum(values, mask, i) / mask[i].reduce((a, m) => a + m, 0);
}

export interface PairView {
  sumW: number;
  sumL: number;
  lbarW: number;
  lbarL: number;
  refSumW: number;
  refSumL: number;
  refLbarW: number;
  refLbarL: number;
}

export function pairs(b: Batch): PairView[] {
  return b.chosen.values.map((_, i) => ({
    sumW: rowSum(b.chosen.values, b.chosen.mask, i),
    sumL: rowSum(b.rejected.values, b.rejected.mask, i),
    lbarW: rowMean(b.chosen.values, b.chosen.mask, i),
    lbarL: rowMean(b.rejected.values, b.rejected.mask, i),
    refSumW: rowSum(b.refChosen, b.chosen.mask, i),
    refSumL: rowSum(b.refRejected, b.rejected.mask, i),
    refLbarW: rowMean(b.refChosen, b.chosen.mask, i),
    refLbarL: rowMean(b.refRejected, b.rejected.mask, i),
  }));
}

const hSum = (p: PairView): number => p.sumW - p.sumL - (p.refSumW - p.refSumL);
const hMean = (p: PairView): number => p.lbarW - p.lbarL - (p.refLbarW - p.refLbarL);
const log1mexp = (a: number): number => (a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a)));

/** docs/losses.md, per loss, with the document's defaults; `c` overrides. */
export const expected: Record<string, (b: Batch, c?: Record<string, number>) => number> = {
  sft: (b) => meanOf(pairs(b).map((p) => -p.lbarW)),
  dpo: (b, c = {}) => {
    const beta = c.beta ?? 0.1;
    const eps = c.labelSmoothing ?? 0;
    return meanOf(pairs(b).map((p) => -(1 - eps) * logsig(beta * hSum(p)) - eps * logsig(-beta * hSum(p))));
  },
  robust: (b, c = {}) => {
    const beta = c.beta ?? 0.1;
    const eps = c.labelSmoothing ?? 0;
    return meanOf(
      pairs(b).map((p) => (-(1 - eps) * logsig(beta * hSum(p)) + eps * logsig(-beta * hSum(p))) / (1 - 2 * eps)),
    );
  },
  hinge: (b, c = {}) => meanOf(pairs(b).map((p) => Math.max(0, 1 - (c.beta ?? 0.1) * hSum(p)))),
  ipo: (b, c = {}) => meanOf(pairs(b).map((p) => (hMean(p) - 1 / (2 * (c.beta ?? 0.1))) ** 2)),
  simpo: (b, c = {}) => meanOf(pairs(b).map((p) => -logsig((c.beta ?? 2) * (p.lbarW - p.lbarL) - (c.gamma ?? 1)))),
  'simpo-trl': (b) => meanOf(pairs(b).map((p) => -logsig(0.1 * (p.lbarW - p.lbarL) - 0.5))),
  cpo: (b, c = {}) =>
    meanOf(pairs(b).map((p) => -logsig((c.beta ?? 0.1) * (p.sumW - p.sumL)) - (c.alpha ?? 1) * p.lbarW)),
  cpoSimpo: (b, c = {}) =>
    meanOf(
      pairs(b).map((p) => -logsig((c.beta ?? 2) * (p.lbarW - p.lbarL) - (c.gamma ?? 1)) - (c.alpha ?? 1) * p.lbarW),
    ),
  orpo: (b, c = {}) =>
    meanOf(
      pairs(b).map((p) => {
        const logOdds = p.lbarW - p.lbarL - (log1mexp(p.lbarW) - log1mexp(p.lbarL));
        return -p.lbarW - (c.beta ?? 0.1) * logsig(logOdds);
      }),
    ),
  slime: (b, c = {}) => slimeExpected(b, c),
  'slime-script': (b, c = {}) => slimeExpected(b, { lambdaL: 0.0005, ...c }),
  kto: (b, c = {}) => {
    const beta = c.beta ?? 0.1;
    const ps = pairs(b);
    const rW = ps.map((p) => p.sumW - p.refSumW);
    const rL = ps.map((p) => p.sumL - p.refSumL);
    const z0 = Math.max(0, meanOf([...rW, ...rL]));
    return meanOf([...rW.map((r) => 1 - sigma(beta * (r - z0))), ...rL.map((r) => 1 - sigma(beta * (z0 - r)))]);
  },
};

export function slimeExpected(b: Batch, c: Record<string, number> = {}): number {
  const { lambdaW = 0.1, lambdaL = 0.1, lambdaD = 1, delta = 1.25, mHard = 1.5, mSoft = 1, kappa = 2.5, p = 2.5 } = c;
  const { softMargin = 1, hardMargin = 1 } = c;
  const perPair = pairs(b).map((q) => {
    const gap = q.lbarW - q.lbarL;
    const hinge = hardMargin ? Math.max(0, mHard - gap) : 1;
    const gate = softMargin ? sigma(-kappa * (gap - mSoft)) : 1;
    return -lambdaW * q.lbarW + lambdaD * hinge * gate;
  });
  let floorSum = 0;
  let count = 0;
  b.rejected.values.forEach((row, i) =>
    row.forEach((l, t) => {
      if (b.rejected.mask[i][t]) {
        floorSum += softplus(-l - delta) ** p;
        count++;
      }
    }),
  );
  return meanOf(perPair) + (lambdaL * floorSum) / count;
}
