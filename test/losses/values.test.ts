// Loss values against expectations derived independently: the plain-JS formulas of docs/losses.md (helpers.ts), closed
// forms and the document's sanity values.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor } from '../../src/index.js';
import { losses } from '../../src/index.js';
import { batchArb, expected, inputsOf, pairs, type Batch } from './helpers.js';

const close = (actual: number, want: number, rel = 1e-9): void => {
  expect(Math.abs(actual - want), `got ${actual}, expected ${want}`).toBeLessThanOrEqual(
    rel * Math.max(1, Math.abs(want)),
  );
};

/** One pair, one token each side (handy for closed forms). */
function single(w: number, l: number, refW = 0, refL = 0): Batch {
  return {
    chosen: { values: [[w]], mask: [[1]] },
    rejected: { values: [[l]], mask: [[1]] },
    refChosen: [[refW]],
    refRejected: [[refL]],
  };
}

describe('every loss equals its docs/losses.md formula (plain-JS re-derivation)', () => {
  for (const name of losses.lossNames()) {
    it(name, () => {
      fc.assert(
        fc.property(batchArb(), (b) => {
          const out = losses.getLoss(name).fn(inputsOf(b));
          close(out.loss.itemSync(), expected[name](b));
          // the terms add up to the loss and are all reported as metrics
          const termSum = Object.values(out.terms).reduce((a, t) => a + t.itemSync(), 0);
          close(termSum, out.loss.itemSync());
          for (const [k, t] of Object.entries(out.terms))
            expect(out.metrics[`terms/${k}`].itemSync()).toBe(t.itemSync());
        }),
        { numRuns: 20 },
      );
    });
  }

  it('non-default configs follow the formulas too', () => {
    fc.assert(
      fc.property(
        batchArb(),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        (b, beta, eps) => {
          const i = inputsOf(b);
          close(
            losses.dpo(i, { beta, labelSmoothing: eps }).loss.itemSync(),
            expected.dpo(b, { beta, labelSmoothing: eps }),
          );
          close(
            losses.robust(i, { beta, labelSmoothing: eps }).loss.itemSync(),
            expected.robust(b, { beta, labelSmoothing: eps }),
            1e-8,
          );
          close(losses.simpo(i, { beta, gamma: eps }).loss.itemSync(), expected.simpo(b, { beta, gamma: eps }));
          close(losses.cpo(i, { beta, alpha: eps }).loss.itemSync(), expected.cpo(b, { beta, alpha: eps }));
          close(
            losses.slime(i, { lambdaL: 1, delta: eps, p: 1 + beta }).loss.itemSync(),
            expected.slime(b, { lambdaL: 1, delta: eps, p: 1 + beta }),
          );
          const ablations: Record<string, number>[] = [
            { softMargin: 0 },
            { hardMargin: 0 },
            { lambdaW: 0 },
            { lambdaL: 0 },
          ];
          for (const ablation of ablations) {
            close(losses.slime(i, ablation).loss.itemSync(), expected.slime(b, ablation));
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('SLIME: softMargin and hardMargin are switches (0 or 1), and not both off', () => {
    const i = inputsOf(single(-1, -2));
    expect(() => losses.slime(i, { softMargin: 0.5 })).toThrow(
      /slime: config 'softMargin' must be 0 \(off\) or 1 \(on\), got 0.5/,
    );
    expect(() => losses.slime(i, { softMargin: 0, hardMargin: 0 })).toThrow(
      /cannot both be 0 \(the margin term would be the constant lambdaD; set lambdaD to 0 instead\)/,
    );
    // 1 is the other accepted value: spelling out the defaults changes nothing
    close(losses.slime(i, { softMargin: 1, hardMargin: 1 }).loss.itemSync(), expected.slime(single(-1, -2)));
    // Delta = 1: the hinge alone is 0.5, the gate alone 1/2
    close(losses.slime(i, { softMargin: 0 }).terms.margin.itemSync(), 0.5);
    close(losses.slime(i, { hardMargin: 0 }).terms.margin.itemSync(), 0.5);
    // Delta = 3, past m_h: the hinge is 0, but the gate alone still pushes with sigma(-5)
    const wide = inputsOf(single(-1, -4));
    close(losses.slime(wide, { hardMargin: 0 }).terms.margin.itemSync(), 1 / (1 + Math.exp(5)));
    expect(losses.slime(wide, { softMargin: 0 }).terms.margin.itemSync()).toBe(0);
  });
});

describe('closed forms and the sanity values of docs/losses.md', () => {
  it('SLIME: L_dist is 0 for Delta >= m_h = 1.5, and equals ReLU(1.5 - D) sigma(-2.5 (D - 1)) below', () => {
    for (const gap of [1.5, 1.6, 3, 50]) {
      expect(losses.slime(inputsOf(single(-1, -1 - gap))).terms.margin.itemSync()).toBe(0);
    }
    // Delta = 1: the gate is exactly 1/2, the hinge 0.5
    close(losses.slime(inputsOf(single(-1, -2))).terms.margin.itemSync(), 0.5 * 0.5);
  });

  it('SLIME: one rejected token at l = -delta gives a stabilizer of lambda_l (ln 2)^2.5', () => {
    close(losses.slime(inputsOf(single(-1, -1.25)), { lambdaL: 1 }).terms.stabilizer.itemSync(), Math.LN2 ** 2.5);
    close(losses.slime(inputsOf(single(-1, -1.25))).terms.stabilizer.itemSync(), 0.1 * Math.LN2 ** 2.5);
    close(losses.slimeScript(inputsOf(single(-1, -1.25))).terms.stabilizer.itemSync(), 0.0005 * Math.LN2 ** 2.5);
  });

  it('SLIME: the stabilizer is pooled over all rejected tokens of the batch, not averaged per completion', () => {
    // pair 1 has three tokens at -delta (value (ln 2)^2.5 each), pair 2 one token at -delta - 10
    const b: Batch = {
      chosen: { values: [[-1], [-1]], mask: [[1], [1]] },
      rejected: {
        values: [
          [-1.25, -1.25, -1.25],
          [-11.25, 0, 0],
        ],
        mask: [
          [1, 1, 1],
          [1, 0, 0],
        ],
      },
      refChosen: [[0], [0]],
      refRejected: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    };
    const sp10 = 10 + Math.log1p(Math.exp(-10));
    close(
      losses.slime(inputsOf(b), { lambdaL: 1 }).terms.stabilizer.itemSync(),
      (3 * Math.LN2 ** 2.5 + sp10 ** 2.5) / 4,
    );
  });

  it('DPO: ln 2 at h = 0; cDPO with eps = 0 equals DPO; robust with eps = 0 equals DPO', () => {
    close(losses.dpo(inputsOf(single(-1, -2, -1, -2))).loss.itemSync(), Math.LN2);
    fc.assert(
      fc.property(batchArb(), (b) => {
        const i = inputsOf(b);
        const plain = losses.dpo(i).loss.itemSync();
        expect(losses.dpo(i, { labelSmoothing: 0 }).loss.itemSync()).toBe(plain);
        close(losses.robust(i, { labelSmoothing: 0 }).loss.itemSync(), plain);
      }),
      { numRuns: 10 },
    );
  });

  it('hinge: ReLU(1 - beta h) is 0 once beta h >= 1', () => {
    expect(losses.hinge(inputsOf(single(-1, -12, 0, 0))).loss.itemSync()).toBe(0); // h = 11
    close(losses.hinge(inputsOf(single(-1, -6, 0, 0))).loss.itemSync(), 0.5); // h = 5
  });

  it('SimPO: ln 2 exactly where beta Delta = gamma (its gamma sets where the push halves)', () => {
    close(losses.simpo(inputsOf(single(-1, -1.5))).loss.itemSync(), Math.LN2); // 2 * 0.5 - 1 = 0
    close(losses.simpo(inputsOf(single(-1, -6)), { beta: 0.1, gamma: 0.5 }).loss.itemSync(), Math.LN2);
  });

  it('ORPO: equal completions give log-odds 0, loss -lbar_w + beta ln 2', () => {
    const out = losses.orpo(inputsOf(single(-0.7, -0.7)));
    expect(out.metrics.log_odds_chosen.itemSync()).toBe(0);
    close(out.loss.itemSync(), 0.7 + 0.1 * Math.LN2);
    close(out.metrics.log_odds_ratio.itemSync(), -Math.LN2);
  });

  it('SFT: the token-mean NLL of chosen, averaged over pairs; works without a rejected side', () => {
    const out = losses.sft({
      chosenLogps: tensor([[-1, -3, 9]], { dtype: 'float64' }),
      chosenMask: tensor([[1, 1, 0]], { dtype: 'float64' }),
    });
    close(out.loss.itemSync(), 2);
    expect(out.metrics.nll_loss.itemSync()).toBe(2);
  });

  it('SFT: a rejected side is measured (plain mean log-probs as rewards), and without one no rewards/* appear', () => {
    const chosenLogps = tensor([[-1, -3, 9]], { dtype: 'float64' });
    const chosenMask = tensor([[1, 1, 0]], { dtype: 'float64' });
    const rejectedLogps = tensor([[-4, -2]], { dtype: 'float64' });
    const rejectedMask = tensor([[1, 1]], { dtype: 'float64' });
    const measured = losses.sft({ chosenLogps, chosenMask, rejectedLogps, rejectedMask });
    close(measured.loss.itemSync(), 2); // the rejected side never enters the loss
    close(measured.metrics['logps/rejected'].itemSync(), -3);
    close(measured.metrics['rewards/margins'].itemSync(), -2 - -3);
    const alone = losses.sft({ chosenLogps, chosenMask }).metrics;
    expect(Object.keys(alone).sort()).toEqual(
      ['lbar/chosen', 'logps/chosen', 'nll_loss', 'sumlogp/chosen', 'terms/nll'].sort(),
    );
  });

  it('KTO: the kl metric is z0 = max(0, mean of r over the 2B completions)', () => {
    // r = sum-l - ref sum-l: chosen +3 and +1, rejected -1 and +1, mean 1
    const b: Batch = {
      chosen: { values: [[-1], [-2]], mask: [[1], [1]] },
      rejected: { values: [[-3], [-1]], mask: [[1], [1]] },
      refChosen: [[-4], [-3]],
      refRejected: [[-2], [-2]],
    };
    close(losses.kto(inputsOf(b)).metrics.kl.itemSync(), 1);
    // a negative mean is clamped to 0
    expect(losses.kto(inputsOf(single(-3, -3, -1, -1))).metrics.kl.itemSync()).toBe(0);
  });

  it('metrics: TRL names plus lbar/sumlogp, with the documented rewards', () => {
    fc.assert(
      fc.property(batchArb(), (b) => {
        const ps = pairs(b);
        const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
        const d = losses.dpo(inputsOf(b)).metrics;
        close(d['rewards/chosen'].itemSync(), mean(ps.map((p) => 0.1 * (p.sumW - p.refSumW))));
        close(d['rewards/margins'].itemSync(), mean(ps.map((p) => 0.1 * (p.sumW - p.refSumW - p.sumL + p.refSumL))));
        close(
          d['rewards/accuracies'].itemSync(),
          mean(ps.map((p) => (p.sumW - p.refSumW > p.sumL - p.refSumL ? 1 : 0))),
        );
        close(d['logps/rejected'].itemSync(), mean(ps.map((p) => p.sumL)));
        close(d['lbar/chosen'].itemSync(), mean(ps.map((p) => p.lbarW)));
        close(d['sumlogp/rejected'].itemSync(), mean(ps.map((p) => p.sumL)));
        close(d.nll_loss.itemSync(), mean(ps.map((p) => -p.lbarW)));
        const s = losses.simpo(inputsOf(b)).metrics;
        close(s['rewards/chosen'].itemSync(), mean(ps.map((p) => 2 * p.lbarW)));
        close(s['logps/chosen'].itemSync(), mean(ps.map((p) => p.lbarW)));
        for (const t of Object.values(d)) expect(t.requiresGrad).toBe(false);
      }),
      { numRuns: 10 },
    );
  });
});
