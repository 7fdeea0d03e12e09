// Extreme inputs stay finite; bad inputs fail with an error that names the loss and the problem.

import { describe, expect, it } from 'vitest';
import { grad, tensor, type Tensor } from '../../src/index.js';
import { losses } from '../../src/index.js';
import type { PreferenceInputs } from '../../src/losses/index.js';
import { maskedLogps, pairStats, referenceMargin } from '../../src/losses/pairs.js';
import { referenceRewards } from '../../src/losses/rewards.js';

const t = (rows: number[][], dtype: 'float32' | 'float64'): Tensor => tensor(rows, { dtype });

/** Loss and both gradients for one-pair inputs of two tokens a side. */
function run(
  name: string,
  w: number[],
  l: number[],
  refW: number[],
  refL: number[],
  dtype: 'float32' | 'float64',
): number[] {
  const f = (c: Tensor, r: Tensor): Tensor =>
    losses.getLoss(name).fn({
      chosenLogps: c,
      chosenMask: t([[1, 1]], dtype),
      rejectedLogps: r,
      rejectedMask: t([[1, 1]], dtype),
      refChosenLogps: t([refW], dtype),
      refRejectedLogps: t([refL], dtype),
    }).loss;
  const [gw, gl] = grad(f, [0, 1])(t([w], dtype), t([l], dtype));
  return [f(t([w], dtype), t([l], dtype)).itemSync(), ...gw.dataSync(), ...gl.dataSync()];
}

const EXTREMES: Array<[string, number[], number[], number[], number[]]> = [
  ['log-probs of -1e4 everywhere', [-1e4, -1e4], [-1e4, -1e4], [-1e4, -1e4], [-1e4, -1e4]],
  ['chosen at -1e4, rejected near 0', [-1e4, -1e4], [-1e-3, -1e-3], [-1, -1], [-1, -1]],
  ['margin +1e3', [-0.1, -0.1], [-1e3, -1e3], [-1, -1], [-1, -1]],
  ['margin -1e3', [-1e3, -1e3], [-0.1, -0.1], [-1, -1], [-1, -1]],
  ['reference margin -1e3', [-1, -1], [-1, -1], [-0.1, -0.1], [-1e3, -1e3]],
  ['certain chosen (log-prob 0)', [0, 0], [-5, -5], [-1, -1], [-1, -1]],
];

describe('extreme inputs give a finite loss and finite gradients', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [label, w, l, rw, rl] of EXTREMES) {
      it(`${label} (${dtype})`, () => {
        for (const name of losses.lossNames()) {
          const values = run(name, w, l, rw, rl, dtype);
          values.forEach((v) => expect(Number.isFinite(v), `${name}: ${values.join(', ')}`).toBe(true));
        }
      });
    }
  }
});

function inputs(over: Partial<Record<keyof PreferenceInputs, number[][]>> = {}): PreferenceInputs {
  const base = {
    chosenLogps: [[-1, -2]],
    chosenMask: [[1, 1]],
    rejectedLogps: [[-3]],
    rejectedMask: [[1]],
    refChosenLogps: [[-1, -1]],
    refRejectedLogps: [[-2]],
    ...over,
  };
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, t(v, 'float64')])) as unknown as PreferenceInputs;
}

describe('a chosen completion the policy calls impossible', () => {
  it('DPO: a chosen log-prob of -Infinity gives h = -Infinity and the loss -logsig(-Infinity) = +Infinity', () => {
    const impossible = inputs({ chosenLogps: [[-Infinity, -1]] });
    expect(losses.dpo(impossible).loss.itemSync()).toBe(Infinity);
  });

  it('DPO: a rejected log-prob of -Infinity gives h = +Infinity and the loss -logsig(+Infinity) = 0', () => {
    const settled = inputs({ rejectedLogps: [[-Infinity]] });
    // at eps 0 no eps term may be added: 0 * -logsig(-Infinity) = 0 * Infinity would make the loss NaN
    expect(losses.dpo(settled).loss.itemSync() === 0).toBe(true);
    expect(losses.dpo(settled, { labelSmoothing: 0.1 }).loss.itemSync()).toBe(Infinity);
  });
});

describe('bad inputs are clear errors', () => {
  it('an empty completion is an error naming the loss, the mask and the row, never NaN', () => {
    for (const name of losses.lossNames()) {
      const bad = { ...inputs(), chosenMask: t([[0, 0]], 'float64') };
      expect(() => losses.getLoss(name).fn(bad)).toThrow(
        new RegExp(
          `^${name === 'slime-script' ? 'slime' : name === 'simpo-trl' ? 'simpo' : name}: chosenMask row 0 has no completion tokens`,
        ),
      );
      const badRejected = { ...inputs(), rejectedMask: t([[0]], 'float64') };
      if (name !== 'sft')
        expect(() => losses.getLoss(name).fn(badRejected)).toThrow(/rejectedMask row 0 has no completion tokens/);
    }
  });

  it('an unknown config key is an error listing the accepted keys', () => {
    expect(() => losses.dpo(inputs(), { gamma: 1 })).toThrow(
      "dpo: unknown config key 'gamma' (dpo accepts beta, labelSmoothing)",
    );
    expect(() => losses.slime(inputs(), { lamdaW: 1 })).toThrow(/slime: unknown config key 'lamdaW'.*lambdaW/);
    expect(() => losses.sft(inputs(), { beta: 1 })).toThrow("sft: unknown config key 'beta' (sft accepts no keys)");
    expect(() => losses.getLoss('simpo-trl').fn(inputs(), { alpha: 1 })).toThrow(/simpo: unknown config key 'alpha'/);
  });

  it('bad config values are errors', () => {
    expect(() => losses.dpo(inputs(), { beta: 0 })).toThrow(/dpo: config 'beta' must be > 0, got 0/);
    expect(() => losses.robust(inputs(), { labelSmoothing: 0.5 })).toThrow(
      /robust: config 'labelSmoothing' must be in \[0, 0.5\)/,
    );
    expect(() => losses.slime(inputs(), { p: NaN })).toThrow(/slime: config 'p' must be a finite number/);
    expect(() => losses.dpo(inputs(), { beta: '1' as unknown as number })).toThrow(
      "dpo: config 'beta' must be a finite number, got 1",
    );
    for (const notAnObject of [3, null]) {
      expect(() => losses.dpo(inputs(), notAnObject as never)).toThrow(
        `dpo: config must be an object of numbers, got ${notAnObject}`,
      );
    }
    // '>= 0' takes 0 and refuses anything below; '> 0' refuses 0 and negatives
    expect(Number.isFinite(losses.cpo(inputs(), { alpha: 0 }).loss.itemSync())).toBe(true);
    expect(() => losses.cpo(inputs(), { alpha: -0.5 })).toThrow("cpo: config 'alpha' must be >= 0, got -0.5");
    expect(() => losses.cpo(inputs(), { beta: -0.5 })).toThrow("cpo: config 'beta' must be > 0, got -0.5");
    // 'finite' keys take any sign
    expect(Number.isFinite(losses.simpo(inputs(), { gamma: -2 }).loss.itemSync())).toBe(true);
  });

  it('a preset is a default: the caller overrides it', () => {
    const script = losses.getLoss('slime-script').fn(inputs(), { lambdaL: 0.1 }).loss.itemSync();
    expect(script).toBe(losses.slime(inputs()).loss.itemSync());
  });

  it('label smoothing: DPO takes eps in [0, 0.5] (0.5 included), robust DPO in [0, 0.5)', () => {
    // at eps = 0.5 cDPO is -(logsig(z) + logsig(-z)) / 2: finite, only the normaliser of robust DPO blows up there
    expect(Number.isFinite(losses.dpo(inputs(), { labelSmoothing: 0.5 }).loss.itemSync())).toBe(true);
    for (const eps of [-0.01, 0.51]) {
      expect(() => losses.dpo(inputs(), { labelSmoothing: eps })).toThrow(
        `dpo: config 'labelSmoothing' must be in [0, 0.5], got ${eps}`,
      );
      expect(() => losses.robust(inputs(), { labelSmoothing: eps })).toThrow(
        `robust: config 'labelSmoothing' must be in [0, 0.5), got ${eps}`,
      );
    }
  });

  it('SFT: a rejected side given by half is an error naming the missing half', () => {
    const { chosenLogps, chosenMask, rejectedLogps, rejectedMask } = inputs();
    expect(() => losses.sft({ chosenLogps, chosenMask, rejectedLogps })).toThrow(
      /^sft: input 'rejectedMask' must be a Tensor \[B, T\], got nothing/,
    );
    expect(() => losses.sft({ chosenLogps, chosenMask, rejectedMask })).toThrow(
      /^sft: input 'rejectedLogps' must be a Tensor \[B, T\], got nothing/,
    );
  });

  it('each missing or malformed input is named, with what was expected', () => {
    const need =
      "dpo: needs the reference model's log-probs " +
      '(refChosenLogps and refRejectedLogps, per-token [B, T], computed without gradient); missing ';
    expect(() => losses.dpo({ ...inputs(), refChosenLogps: undefined as never })).toThrow(`${need}refChosenLogps`);
    expect(() => losses.dpo({ ...inputs(), refRejectedLogps: undefined as never })).toThrow(
      /missing refRejectedLogps$/,
    );
    expect(() =>
      losses.dpo({ ...inputs(), refChosenLogps: undefined as never, refRejectedLogps: undefined as never }),
    ).toThrow(`${need}refChosenLogps and refRejectedLogps`);
    for (const notAnObject of [null, 3]) {
      expect(() => losses.dpo(notAnObject as never)).toThrow(
        'dpo: inputs must be an object {chosenLogps, chosenMask, rejectedLogps, rejectedMask, ...}',
      );
    }
    expect(() => losses.simpo({ ...inputs(), chosenMask: undefined as never })).toThrow(
      "simpo: input 'chosenMask' must be a Tensor [B, T], got nothing",
    );
    expect(() => losses.simpo({ ...inputs(), rejectedLogps: [[-1]] as never })).toThrow(
      "simpo: input 'rejectedLogps' must be a Tensor [B, T], got object",
    );
    expect(() => losses.dpo({ ...inputs(), refChosenLogps: [[-1, -1]] as never })).toThrow(
      "dpo: input 'refChosenLogps' must be a Tensor [B, T], got object",
    );
    expect(() => losses.dpo({ ...inputs(), refRejectedLogps: [[-2]] as never })).toThrow(
      "dpo: input 'refRejectedLogps' must be a Tensor [B, T], got object",
    );
    expect(() => losses.simpo({ ...inputs(), rejectedLogps: tensor([-3], { dtype: 'float64' }) })).toThrow(
      "simpo: input 'rejectedLogps' must be [B, T] (per-token values), got [1]",
    );
    expect(() => losses.simpo({ ...inputs(), chosenLogps: tensor([[-1, -2]], { dtype: 'int32' }) })).toThrow(
      'simpo: chosenLogps must be float log-probs, got int32 [1,2]',
    );
    expect(() => losses.simpo({ ...inputs(), rejectedMask: t([[1, 1]], 'float64') })).toThrow(
      'simpo: rejectedLogps [1,1] and rejectedMask [1,2] must have the same shape (rejected completions)',
    );
    expect(() => losses.dpo({ ...inputs(), refChosenLogps: tensor([[-1, -1]], { dtype: 'int32' }) })).toThrow(
      'dpo: refChosenLogps must be float log-probs, got int32 [1,2]',
    );
    expect(() => losses.dpo({ ...inputs(), refRejectedLogps: tensor([[-2]], { dtype: 'int32' }) })).toThrow(
      'dpo: refRejectedLogps must be float log-probs, got int32 [1,1]',
    );
  });

  it("maskedLogps casts the mask to the log-probs' dtype, and uses a mask already in it as is (no copy)", () => {
    const logps = t([[-1, -2, -4]], 'float64');
    const cast = maskedLogps(logps, t([[1, 0, 1]], 'float32'));
    expect([cast.mask.dtype, cast.count.dtype, cast.mean.dtype]).toEqual(['float64', 'float64', 'float64']);
    expect(cast.mean.arraySync()).toEqual([-2.5]);
    const mask = t([[1, 1, 0]], 'float64');
    expect(maskedLogps(logps, mask).mask).toBe(mask);
    const ints = maskedLogps(t([[-1, -2]], 'float32'), tensor([[0, 1]], { dtype: 'int32' }));
    expect([ints.mask.dtype, ints.sum.arraySync()]).toEqual(['float32', [-2]]);
  });

  it('a loss that needs a reference and gets none throws', () => {
    for (const name of losses.lossNames()) {
      const spec = losses.getLoss(name);
      const noRef = { ...inputs(), refChosenLogps: undefined, refRejectedLogps: undefined };
      if (spec.needsReference) expect(() => spec.fn(noRef)).toThrow(/needs the reference model's log-probs/);
      else expect(Number.isFinite(spec.fn(noRef).loss.itemSync())).toBe(true);
    }
  });

  it('shape, dtype and mask-value mistakes name what was expected', () => {
    expect(() => losses.dpo(inputs({ chosenMask: [[1, 1, 1]] }))).toThrow(
      /dpo: chosenLogps \[1,2\] and chosenMask \[1,3\] must have the same shape/,
    );
    expect(() => losses.dpo(inputs({ refRejectedLogps: [[-1, -1]] }))).toThrow(
      /refRejectedLogps \[1,2\] must match the policy's \[1,1\]/,
    );
    expect(() => losses.simpo(inputs({ rejectedLogps: [[-1], [-2]], rejectedMask: [[1], [1]] }))).toThrow(
      /same number of pairs/,
    );
    expect(() => losses.simpo(inputs({ chosenMask: [[1, 0.5]] }))).toThrow(
      /simpo: chosenMask must hold only 0 and 1, got 0.5 at \[0, 1\]/,
    );
    expect(() => losses.simpo({ ...inputs(), chosenLogps: tensor([-1, -2], { dtype: 'float64' }) })).toThrow(
      /must be \[B, T\]/,
    );
    expect(() => losses.getLoss('nope')).toThrow(/unknown loss 'nope' \(known: sft, dpo/);
  });

  it('the same mistakes, each message in full', () => {
    expect(() => losses.dpo(inputs({ chosenMask: [[1, 1, 1]] }))).toThrow(
      'dpo: chosenLogps [1,2] and chosenMask [1,3] must have the same shape (chosen completions)',
    );
    expect(() => losses.dpo(inputs({ refRejectedLogps: [[-1, -1]] }))).toThrow(
      "dpo: refRejectedLogps [1,2] must match the policy's [1,1] (the reference uses the same masks)",
    );
    expect(() => losses.simpo(inputs({ rejectedLogps: [[-1], [-2]], rejectedMask: [[1], [1]] }))).toThrow(
      'simpo: chosen and rejected must hold the same number of pairs, got chosenLogps [1,2] and rejectedLogps [2,1]',
    );
    expect(() => losses.dpo(inputs({ chosenMask: [[0, 0]] }))).toThrow(
      'dpo: chosenMask row 0 has no completion tokens ' +
        '(an empty completion has no log-prob per token; drop the pair or give it at least one token)',
    );
    // only the missing side is named
    expect(() => losses.dpo({ ...inputs(), refChosenLogps: undefined as never })).toThrow(/missing refChosenLogps$/);
  });

  it('the reward and margin helpers refuse statistics prepared without a reference', () => {
    const bare = pairStats('dpo', inputs(), false);
    expect(bare.refChosen).toBeUndefined();
    expect(() => referenceRewards(bare, 'sum', 1)).toThrow('referenceRewards: reference log-probs were not prepared');
    expect(() => referenceMargin(bare, 'sum')).toThrow('referenceMargin: reference log-probs were not prepared');
    const full = pairStats('dpo', inputs(), true);
    // h = (-3 - -3) - (-2 - -2) = 0 by sum; rewards 2 * (logp - ref)
    expect(referenceMargin(full, 'sum').arraySync()).toEqual([0]);
    expect(referenceRewards(full, 'sum', 2).map((r) => r.arraySync())).toEqual([[-2], [-2]]);
  });
});
