// Resuming from an incomplete optimizer state (issue 12, defect 4): a state missing some of a parameter's slots
// used to be accepted, the missing moments restarted at zero and the first step moved the parameters far more
// than an uninterrupted run would.

import { describe, expect, it } from 'vitest';
import { randn, type Tensor } from '../../src/index.js';
import { AdamW, SGD, type Optimizer, type OptimizerState } from '../../src/optim/index.js';

function setup(): { w: Tensor; b: Tensor; opt: AdamW } {
  const w = randn([3, 2], { seed: 1, dtype: 'float64' }).requireGrad();
  const b = randn([2], { seed: 2, dtype: 'float64' }).requireGrad();
  return {
    w,
    b,
    opt: new AdamW(
      [
        ['w', w],
        ['b', b],
      ],
      { lr: 0.1 },
    ),
  };
}

function train(params: Tensor[], opt: Optimizer, steps: number): void {
  for (let i = 0; i < steps; i++) {
    params
      .map((p, k) =>
        p
          .square()
          .sum()
          .mul(k + 1),
      )
      .reduce((x, y) => x.add(y))
      .backward();
    opt.step();
    opt.zeroGrad();
  }
}

function without(s: OptimizerState, drop: (key: string) => boolean): OptimizerState {
  return { ...s, tensors: new Map([...s.tensors].filter(([k]) => !drop(k))) };
}

describe('Optimizer.loadState refuses an incomplete state', () => {
  const source = setup();
  train([source.w, source.b], source.opt, 3);
  const saved = source.opt.state();

  it('a whole slot missing (exp_avg_sq.*), naming what is missing', () => {
    const { opt } = setup();
    expect(() => opt.loadState(without(saved, (k) => k.startsWith('exp_avg_sq.')))).toThrow(
      /parameter 'w' lacks 'exp_avg_sq\.w'/,
    );
  });

  it("one parameter's slot missing", () => {
    const { opt } = setup();
    expect(() => opt.loadState(without(saved, (k) => k === 'exp_avg.b'))).toThrow(/parameter 'b' lacks 'exp_avg\.b'/);
  });

  it('no tensors at all for a state at step 3', () => {
    const { opt } = setup();
    expect(() => opt.loadState(without(saved, () => true))).toThrow(
      /at step 3 but holds no exp_avg\/exp_avg_sq tensors/,
    );
  });

  it('a slot this optimizer does not have', () => {
    const w = randn([3, 2], { seed: 1, dtype: 'float64' });
    const sgd = new SGD([['w', w]], { lr: 0.1, momentum: 0.9 });
    const foreign: OptimizerState = { type: 'SGD', step: 1, lr: 0.1, tensors: new Map([['exp_avg.w', w]]) };
    expect(() => sgd.loadState(foreign)).toThrow(/'exp_avg\.w' is not a slot of SGD/);
  });

  it('a refused state leaves the optimizer as it was', () => {
    const { w, b, opt } = setup();
    train([w, b], opt, 1);
    const mine = opt.state();
    expect(() => opt.loadState(without(saved, (k) => k.startsWith('exp_avg_sq.')))).toThrow();
    expect(opt.stepCount).toBe(1);
    const after = opt.state();
    for (const [k, t] of mine.tensors)
      expect(Array.from(after.tensors.get(k)!.dataSync())).toEqual(Array.from(t.dataSync()));
  });

  it('a complete state resumes exactly; a parameter with no state at all (never stepped) is fine', () => {
    const straight = setup();
    train([straight.w, straight.b], straight.opt, 4);
    const resumed = setup();
    resumed.w.assign(source.w);
    resumed.b.assign(source.b);
    resumed.opt.loadState(saved);
    train([resumed.w, resumed.b], resumed.opt, 1);
    expect(Array.from(resumed.w.dataSync())).toEqual(Array.from(straight.w.dataSync()));

    const partial = setup();
    partial.opt.loadState(without(saved, (k) => k.endsWith('.b')));
    expect(partial.opt.state().tensors.size).toBe(2);
  });
});
