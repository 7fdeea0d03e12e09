// The gradient facts of docs/losses.md, as properties: what each loss does to the log-probs it is given.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, type Tensor } from '../../src/index.js';
import { losses } from '../../src/index.js';
import type { LossOutput } from '../../src/losses/index.js';
import { batchArb, f64, pairs, sigma, type Batch } from './helpers.js';

type Pick = (o: LossOutput) => Tensor;

/** Gradients of one output (loss or a term) w.r.t. the chosen and rejected per-token log-probs. */
function grads(
  b: Batch,
  run: (i: Parameters<typeof losses.dpo>[0]) => LossOutput,
  pick: Pick = (o) => o.loss,
): [number[][], number[][]] {
  const f = (c: Tensor, r: Tensor): Tensor =>
    pick(
      run({
        chosenLogps: c,
        chosenMask: f64(b.chosen.mask),
        rejectedLogps: r,
        rejectedMask: f64(b.rejected.mask),
        refChosenLogps: f64(b.refChosen),
        refRejectedLogps: f64(b.refRejected),
      }),
    );
  const [gw, gl] = grad(f, [0, 1])(f64(b.chosen.values), f64(b.rejected.values));
  return [gw.arraySync() as number[][], gl.arraySync() as number[][]];
}

const approx = (a: number, b: number, tol = 1e-10): void => {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

/** Lifts the chosen log-probs so Delta = lbar_w - lbar_l is at least `gap` in every pair. */
function withGapAtLeast(b: Batch, gap: number): Batch {
  const ps = pairs(b);
  // the extra 1e-9 keeps Delta at or above `gap` after rounding (a shift of exactly gap - Delta can land 1 ulp short)
  const values = b.chosen.values.map((row, i) =>
    row.map((v) => v + Math.max(0, gap - (ps[i].lbarW - ps[i].lbarL)) + 1e-9),
  );
  return { ...b, chosen: { ...b.chosen, values } };
}

describe('SLIME', () => {
  it('stabilizer: dL_l/dl_t < 0 on every rejected completion token (a floor that raises them), 0 elsewhere', () => {
    fc.assert(
      fc.property(batchArb(-30, -0.01), (b) => {
        const [gw, gl] = grads(
          b,
          (i) => losses.slime(i),
          (o) => o.terms.stabilizer,
        );
        gl.forEach((row, i) =>
          row.forEach((g, t) => (b.rejected.mask[i][t] ? expect(g).toBeLessThan(0) : expect(Math.abs(g)).toBe(0))),
        );
        gw.flat().forEach((g) => expect(Math.abs(g)).toBe(0));
      }),
      { numRuns: 25 },
    );
  });

  it('margin: zero gradient once Delta >= m_h', () => {
    fc.assert(
      fc.property(batchArb(), fc.double({ min: 1.5, max: 5, noNaN: true }), (raw, gap) => {
        const b = withGapAtLeast(raw, gap);
        const [gw, gl] = grads(
          b,
          (i) => losses.slime(i),
          (o) => o.terms.margin,
        );
        [...gw.flat(), ...gl.flat()].forEach((g) => expect(Math.abs(g)).toBe(0));
      }),
      { numRuns: 20 },
    );
  });

  it('margin: the gate is differentiated (not detached): dL_dist/dDelta = -sigma(.) - kappa ReLU(.) sigma(.)(1 - sigma(.))', () => {
    fc.assert(
      fc.property(batchArb(), (b) => {
        const [gw] = grads(
          b,
          (i) => losses.slime(i),
          (o) => o.terms.margin,
        );
        const ps = pairs(b);
        gw.forEach((row, i) => {
          const gap = ps[i].lbarW - ps[i].lbarL;
          const s = sigma(-2.5 * (gap - 1));
          const dDelta = gap >= 1.5 ? 0 : -s - 2.5 * (1.5 - gap) * s * (1 - s);
          const n = b.chosen.mask[i].reduce((a, m) => a + m, 0);
          // lbar_w moves by 1/n per token; the loss is a mean over B pairs
          row.forEach((g, t) => {
            if (b.chosen.mask[i][t]) approx(g, dDelta / n / ps.length);
          });
        });
      }),
      { numRuns: 20 },
    );
  });

  it('anchor: dL_w/dlbar_w = -lambda_w per pair (token gradients of a completion sum to -lambda_w / B)', () => {
    fc.assert(
      fc.property(batchArb(), fc.double({ min: 0, max: 2, noNaN: true }), (b, lambdaW) => {
        const [gw, gl] = grads(
          b,
          (i) => losses.slime(i, { lambdaW }),
          (o) => o.terms.anchor,
        );
        gw.forEach((row) =>
          approx(
            row.reduce((a, g) => a + g, 0),
            -lambdaW / gw.length,
          ),
        );
        gl.flat().forEach((g) => expect(Math.abs(g)).toBe(0));
      }),
      { numRuns: 20 },
    );
  });
});

describe('the DPO family', () => {
  it('DPO: dL/dh = -beta sigma(-beta h) per pair (the weight that never reaches 0: DPO keeps pushing)', () => {
    fc.assert(
      fc.property(batchArb(), fc.double({ min: 0.01, max: 2, noNaN: true }), (b, beta) => {
        const [gw, gl] = grads(b, (i) => losses.dpo(i, { beta }));
        const ps = pairs(b);
        ps.forEach((p, i) => {
          const h = p.sumW - p.sumL - (p.refSumW - p.refSumL);
          const weight = (beta * sigma(-beta * h)) / ps.length;
          gw[i].forEach((g, t) => {
            if (b.chosen.mask[i][t]) approx(g, -weight);
          });
          gl[i].forEach((g, t) => {
            if (b.rejected.mask[i][t]) approx(g, weight);
          });
        });
      }),
      { numRuns: 20 },
    );
  });

  it('IPO: minimal (0, with zero gradient) at h = 1/(2 beta), larger on either side', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (beta, off) => {
          const target = 1 / (2 * beta);
          // one token each side: h = w - l (reference 0)
          const at = (h: number): Batch => ({
            chosen: { values: [[-1]], mask: [[1]] },
            rejected: { values: [[-1 - h]], mask: [[1]] },
            refChosen: [[0]],
            refRejected: [[0]],
          });
          const value = (h: number): number =>
            losses
              .ipo(
                {
                  chosenLogps: f64(at(h).chosen.values),
                  chosenMask: f64([[1]]),
                  rejectedLogps: f64(at(h).rejected.values),
                  rejectedMask: f64([[1]]),
                  refChosenLogps: f64([[0]]),
                  refRejectedLogps: f64([[0]]),
                },
                { beta },
              )
              .loss.itemSync();
          expect(value(target)).toBeLessThan(1e-20);
          expect(value(target + off)).toBeGreaterThan(value(target));
          expect(value(target - off)).toBeGreaterThan(value(target));
          const [gw] = grads(at(target), (i) => losses.ipo(i, { beta }));
          expect(Math.abs(gw[0][0])).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('hinge: zero gradient once beta h >= 1', () => {
    const b: Batch = {
      chosen: { values: [[-1, -1]], mask: [[1, 1]] },
      rejected: { values: [[-7]], mask: [[1]] },
      refChosen: [[0, 0]],
      refRejected: [[0]],
    };
    const [gw, gl] = grads(b, (i) => losses.hinge(i)); // h = 5 < 10: pushing
    expect(gw[0][0]).toBeCloseTo(-0.1, 12);
    expect(gl[0][0]).toBeCloseTo(0.1, 12);
    const far = { ...b, rejected: { values: [[-13]], mask: [[1]] } }; // h = 11
    const [gw2, gl2] = grads(far, (i) => losses.hinge(i));
    [...gw2.flat(), ...gl2.flat()].forEach((g) => expect(Math.abs(g)).toBe(0));
  });
});

describe('ORPO', () => {
  it('log-odds and gradients stay finite as lbar -> 0- (and at exactly 0)', () => {
    for (const top of [-1e-3, -1e-8, -1e-15, -1e-300, 0]) {
      const b: Batch = {
        chosen: { values: [[top, top]], mask: [[1, 1]] },
        rejected: { values: [[-2]], mask: [[1]] },
        refChosen: [[0, 0]],
        refRejected: [[0]],
      };
      const out = losses.orpo({
        chosenLogps: f64(b.chosen.values),
        chosenMask: f64([[1, 1]]),
        rejectedLogps: f64([[-2]]),
        rejectedMask: f64([[1]]),
      });
      expect(Number.isFinite(out.metrics.log_odds_chosen.itemSync()), `lbar ${top}`).toBe(true);
      expect(Number.isFinite(out.loss.itemSync())).toBe(true);
      const [gw, gl] = grads(b, (i) => losses.orpo(i));
      [...gw.flat(), ...gl.flat()].forEach((g) => expect(Number.isFinite(g), `lbar ${top}: grad ${g}`).toBe(true));
    }
    // and the log-odds grow as the chosen completion approaches certainty
    const odds = (top: number): number =>
      losses
        .orpo({
          chosenLogps: f64([[top]]),
          chosenMask: f64([[1]]),
          rejectedLogps: f64([[-2]]),
          rejectedMask: f64([[1]]),
        })
        .metrics.log_odds_chosen.itemSync();
    expect(odds(-1e-8)).toBeGreaterThan(odds(-1e-3));
    expect(odds(-1e-3)).toBeGreaterThan(odds(-0.5));
  });
});

describe('SimPO / CPO', () => {
  it('SimPO: the weight beta sigma(gamma - beta Delta) halves exactly where beta Delta = gamma', () => {
    const b: Batch = {
      chosen: { values: [[-1]], mask: [[1]] },
      rejected: { values: [[-1.5]], mask: [[1]] },
      refChosen: [[0]],
      refRejected: [[0]],
    };
    const [gw, gl] = grads(b, (i) => losses.simpo(i)); // beta 2, gamma 1, Delta 0.5
    expect(gw[0][0]).toBeCloseTo(-1, 12);
    expect(gl[0][0]).toBeCloseTo(1, 12);
  });

  it('metrics are detached even when the inputs are traced', () => {
    const b: Batch = {
      chosen: { values: [[-1]], mask: [[1]] },
      rejected: { values: [[-2]], mask: [[1]] },
      refChosen: [[0]],
      refRejected: [[0]],
    };
    let seen = 0;
    grads(b, (i) => {
      const out = losses.cpo(i);
      for (const m of Object.values(out.metrics)) expect(m.requiresGrad).toBe(false);
      seen = Object.keys(out.metrics).length;
      expect(out.loss.requiresGrad).toBe(true);
      return out;
    });
    expect(seen).toBeGreaterThan(10);
  });
});
