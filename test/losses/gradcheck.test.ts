// Every loss's analytic gradient with respect to the per-token log-probs equals central finite differences, over
// random batch sizes, lengths (1 included), masks and values. Masked positions must get exactly zero gradient.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gradcheck, grad, tensor, type Tensor } from '../../src/index.js';
import { lossNames, getLoss } from '../../src/losses/index.js';
import { batchArb, f64, type Batch } from './helpers.js';

function lossOf(name: string, b: Batch): (chosen: Tensor, rejected: Tensor) => Tensor {
  const { fn } = getLoss(name);
  return (chosen, rejected) =>
    fn({
      chosenLogps: chosen,
      chosenMask: f64(b.chosen.mask),
      rejectedLogps: rejected,
      rejectedMask: f64(b.rejected.mask),
      refChosenLogps: f64(b.refChosen),
      refRejectedLogps: f64(b.refRejected),
    }).loss;
}

/**
 * KTO's baseline z0 = max(0, batch KL estimate) is detached on purpose, so finite differences (which see it move)
 * and the analytic gradient agree only where it is locally constant: a policy below its reference keeps z0 at 0.
 */
function belowReference(b: Batch): Batch {
  const above = (rows: number[][]): number[][] => rows.map((r) => r.map((v) => v + 0.5));
  return { ...b, refChosen: above(b.chosen.values), refRejected: above(b.rejected.values) };
}

describe('gradcheck of every loss w.r.t. the per-token log-probs (float64)', () => {
  for (const name of lossNames()) {
    it(name, () => {
      fc.assert(
        fc.property(batchArb(), (raw) => {
          const b = name === 'kto' ? belowReference(raw) : raw;
          const f = lossOf(name, b);
          const x = [f64(b.chosen.values), f64(b.rejected.values)];
          const result = gradcheck(f, x, { atol: 1e-6, rtol: 1e-4 });
          expect(result.ok, result.message).toBe(true);
          const [gw, gl] = grad(f, [0, 1])(...x).map((g) => g.arraySync() as number[][]);
          gw.forEach((row, i) =>
            row.forEach((g, t) => {
              if (!b.chosen.mask[i][t]) expect(Math.abs(g)).toBe(0);
            }),
          );
          gl.forEach((row, i) =>
            row.forEach((g, t) => {
              if (!b.rejected.mask[i][t]) expect(Math.abs(g)).toBe(0);
            }),
          );
        }),
        { numRuns: 15 },
      );
    });
  }

  it('padding values never leak, not even -Infinity or NaN', () => {
    const mask = [[1, 0]];
    for (const name of lossNames()) {
      const f = (c: Tensor, r: Tensor): Tensor =>
        getLoss(name).fn({
          chosenLogps: c,
          chosenMask: f64(mask),
          rejectedLogps: r,
          rejectedMask: f64(mask),
          refChosenLogps: tensor([[-1, -Infinity]], { dtype: 'float64' }),
          refRejectedLogps: tensor([[-2, NaN]], { dtype: 'float64' }),
        }).loss;
      const [gw, gl] = grad(f, [0, 1])(f64([[-0.5, -Infinity]]), f64([[-2, NaN]]));
      for (const v of [...gw.dataSync(), ...gl.dataSync(), f(f64([[-0.5, -Infinity]]), f64([[-2, NaN]])).itemSync()]) {
        expect(Number.isFinite(v), `${name}: ${v}`).toBe(true);
      }
    }
  });
});
