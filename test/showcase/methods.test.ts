// Every method and ablation of the showcase (src/cli/methods.ts) against its formula written out here in plain
// numbers with the paper values spelled as literals: a catalogue entry with the wrong loss, the wrong config key
// (an ablation zeroing the anchor instead of the stabilizer) or a drifted default fails its row.

import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import { ABLATION_NAMES, METHOD_NAMES, resolveMethod } from '../../src/cli/methods.js';
import type { PreferenceInputs } from '../../src/losses/index.js';

const B = 3;
const T = 4;
// per-token log-probs and masks, rows of different lengths; the rejected side has tokens far below -delta
const chosen = [
  [-0.4, -1.1, -0.2, -9],
  [-2.0, -0.7, -9, -9],
  [-0.05, -0.3, -0.6, -1.5],
];
const chosenMask = [
  [1, 1, 1, 0],
  [1, 1, 0, 0],
  [1, 1, 1, 1],
];
const rejected = [
  [-3.5, -0.9, -9, -9],
  [-0.6, -4.2, -2.8, -9],
  [-1.2, -9, -9, -9],
];
const rejectedMask = [
  [1, 1, 0, 0],
  [1, 1, 1, 0],
  [1, 0, 0, 0],
];
const refChosen = [
  [-0.9, -0.8, -0.5, 0],
  [-1.5, -1.0, 0, 0],
  [-0.3, -0.4, -0.2, -1.1],
];
const refRejected = [
  [-2.0, -1.3, 0, 0],
  [-1.0, -2.2, -2.0, 0],
  [-1.9, 0, 0, 0],
];

const t = (rows: number[][]) => tensor(rows.flat(), { shape: [B, T], dtype: 'float64' });
const inputs = (): PreferenceInputs => ({
  chosenLogps: t(chosen),
  chosenMask: t(chosenMask),
  rejectedLogps: t(rejected),
  rejectedMask: t(rejectedMask),
  refChosenLogps: t(refChosen),
  refRejectedLogps: t(refRejected),
});

const masked = (rows: number[][], mask: number[][]) => rows.map((r, b) => r.filter((_, i) => mask[b][i] === 1));
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
const logSig = (x: number) => -Math.log1p(Math.exp(-x));
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(x));

const w = masked(chosen, chosenMask);
const l = masked(rejected, rejectedMask);
const rw = masked(refChosen, chosenMask);
const rl = masked(refRejected, rejectedMask);
const lbarW = w.map(mean);
const lbarL = l.map(mean);
const gap = lbarW.map((x, i) => x - lbarL[i]);
const nll = -mean(lbarW);
const logOdds = (lbar: number) => lbar - Math.log(1 - Math.exp(lbar));

/** SLIME, equation by equation, with the paper values unless overridden. */
function slime(o: { lambdaW?: number; lambdaL?: number; mSoft?: number; hinge?: boolean } = {}): number {
  const { lambdaW = 0.1, lambdaL = 0.1, mSoft = 1.0, hinge = true } = o;
  const [lambdaD, delta, mHard, kappa, p] = [1.0, 1.25, 1.5, 2.5, 2.5];
  const anchor = -lambdaW * mean(lbarW);
  const floor = l.flat().map((x) => softplus(-x - delta) ** p);
  const stabilizer = lambdaL * mean(floor);
  const margin = lambdaD * mean(gap.map((d) => (hinge ? Math.max(0, mHard - d) : 1) * sig(-kappa * (d - mSoft))));
  return anchor + stabilizer + margin;
}

const expected: Record<string, number> = {
  sft: nll,
  dpo: mean(w.map((_, i) => -logSig(0.1 * (sum(w[i]) - sum(rw[i]) - (sum(l[i]) - sum(rl[i])))))),
  ipo: mean(w.map((_, i) => (lbarW[i] - mean(rw[i]) - (lbarL[i] - mean(rl[i])) - 1 / (2 * 0.1)) ** 2)),
  simpo: mean(gap.map((d) => -logSig(2.0 * d - 1.0))),
  'cpo-simpo': mean(gap.map((d) => -logSig(2.0 * d - 1.0))) + 1.0 * nll,
  orpo: nll - 0.1 * mean(lbarW.map((x, i) => logSig(logOdds(x) - logOdds(lbarL[i])))),
  slime: slime(),
  'slime-no-anchor': slime({ lambdaW: 0 }),
  'slime-no-stabilizer': slime({ lambdaL: 0 }),
  'slime-no-soft-margin': slime({ mSoft: 1e6 }),
  'slime-no-hard-margin': slime({ hinge: false }),
};

describe('showcase methods and ablations', () => {
  it('the test covers every name the showcase knows', () => {
    expect(Object.keys(expected).sort()).toEqual([...METHOD_NAMES, ...ABLATION_NAMES].sort());
    // each ablation changes the loss on these inputs (otherwise its row could not tell it from SLIME)
    for (const a of ABLATION_NAMES) expect(Math.abs(expected[a] - expected.slime)).toBeGreaterThan(1e-3);
  });

  for (const name of [...METHOD_NAMES, ...ABLATION_NAMES]) {
    it(`${name}: the loss is its formula at the paper values`, () => {
      const method = resolveMethod(name);
      expect(method.needsReference).toBe(name === 'dpo' || name === 'ipo');
      expect(method.loss(inputs()).loss.dataSync()[0]).toBeCloseTo(expected[name], 12);
    });
  }
});
