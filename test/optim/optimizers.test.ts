import { describe, expect, it } from 'vitest';
import { memory, tensor } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import {
  Adam,
  AdamW,
  SGD,
  clipGradNorm,
  constantLr,
  cosineWithWarmup,
  linearWarmupDecay,
} from '../../src/optim/index.js';

const f64 = (rows: number[][]) => tensor(rows, { dtype: 'float64', requiresGrad: true });
const vec64 = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });
// .grad is read-only: backward of sum(p * g) leaves exactly g in it (d/dp is 1 * g, no rounding)
const setGrad = (p: Tensor, g: number[]) => {
  p.zeroGrad();
  const weights = tensor(g, { dtype: p.dtype, shape: p.shape });
  p.mul(weights).sum().backward();
  weights.dispose();
};
const values = (p: Tensor) => Array.from(p.dataSync());

describe('AdamW', () => {
  // Worked by hand: lr 0.1, betas (0.9, 0.999), eps 1e-8, weight decay 0.1, the same gradient on both steps.
  // Step 1: p <- 0.99 p;  m = 0.1 g, v = 0.001 g^2;  m^ = g, v^ = g^2;  p <- p - 0.1 g / (|g| + 1e-8)
  // Step 2: m = 0.19 g, v = 0.001999 g^2, bias corrections 0.19 and 0.001999 give m^ = g, v^ = g^2 again.
  it('matches the update formula on a hand-worked example (decay on matrices only)', () => {
    const w = f64([[1, -2]]);
    const b = vec64([1]);
    const emb = f64([[1]]);
    const opt = new AdamW(
      [
        ['h.0.w', w],
        ['h.0.b', b],
        ['transformer.wte.weight', emb],
      ],
      { lr: 0.1, weightDecay: 0.1 },
    );
    for (let i = 0; i < 2; i++) {
      setGrad(w, [0.5, -1]);
      setGrad(b, [0.5]);
      setGrad(emb, [0.5]);
      opt.step();
    }
    // w[0]: 1 -> 0.99 - 0.099999998 = 0.890000002 -> 0.88110000198 - 0.099999998 = 0.78110000398
    // w[1]: -2 -> -1.98 + 0.099999999 = -1.880000001 -> -1.86120000099 + 0.099999999 = -1.76120000199
    expect(values(w)[0]).toBeCloseTo(0.78110000398, 11);
    expect(values(w)[1]).toBeCloseTo(-1.76120000199, 11);
    // no decay on a bias or an embedding: 1 -> 0.900000002 -> 0.800000004
    expect(values(b)[0]).toBeCloseTo(0.800000004, 11);
    expect(values(emb)[0]).toBeCloseTo(0.800000004, 11);
    expect(opt.stepCount).toBe(2);
  });

  it('decays whatever shouldDecay selects', () => {
    const b = vec64([1]);
    const opt = new AdamW([['b', b]], { lr: 0.1, weightDecay: 0.1, shouldDecay: () => true });
    setGrad(b, [0.5]);
    opt.step();
    expect(values(b)[0]).toBeCloseTo(0.99 - 0.099999998, 11);
  });

  it('skips parameters without a gradient and keeps memory flat over many steps', () => {
    const w = f64([
      [1, 2],
      [3, 4],
    ]);
    const idle = f64([[5]]);
    const opt = new AdamW([w, idle], { lr: 0.01 });
    setGrad(w, [1, 1, 1, 1]);
    opt.step();
    const before = memory().tensors;
    for (let i = 0; i < 5; i++) opt.step();
    expect(memory().tensors).toBe(before);
    expect(values(idle)).toEqual([5]);
  });

  it('restores its state: a reloaded optimizer continues exactly like the original', () => {
    const make = () =>
      f64([
        [0.3, -0.7],
        [1.1, 0.2],
      ]);
    const a = make();
    const optA = new AdamW([['w', a]], { lr: 0.05 });
    for (let i = 0; i < 3; i++) {
      setGrad(a, [0.1 * i, -0.2, 0.3, 0.4 - i]);
      optA.step();
    }
    const saved = optA.state();
    expect(saved.step).toBe(3);
    expect([...saved.tensors.keys()].sort()).toEqual(['exp_avg.w', 'exp_avg_sq.w']);
    const b = tensor(a.dataSync(), { shape: [2, 2], dtype: 'float64', requiresGrad: true });
    const optB = new AdamW([['w', b]], { lr: 0.05 });
    optB.loadState(saved);
    for (const [p, opt] of [
      [a, optA],
      [b, optB],
    ] as const) {
      setGrad(p, [0.5, 0.5, -0.5, 0.25]);
      opt.step();
    }
    expect(values(b)).toEqual(values(a));
    expect(() => new SGD([['w', b]], { lr: 1 }).loadState(saved)).toThrow(/saved by AdamW/);
    const other = new AdamW([['v', b]], { lr: 1 });
    expect(() => other.loadState(saved)).toThrow(/'exp_avg.w' belongs to no parameter/);
  });
});

describe('Adam and SGD', () => {
  it('Adam adds L2 decay to the gradient', () => {
    const p = vec64([1]);
    const opt = new Adam([p], { lr: 0.1, weightDecay: 0.1 });
    setGrad(p, [0.5]);
    opt.step();
    // g' = 0.5 + 0.1 * 1 = 0.6; step = 0.1 * 0.6 / (0.6 + 1e-8)
    expect(values(p)[0]).toBeCloseTo(1 - 0.1 * (0.6 / (0.6 + 1e-8)), 12);
  });

  it('SGD with momentum: buf = 0.9 buf + g, p -= lr buf', () => {
    const p = vec64([1]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    setGrad(p, [0.5]);
    opt.step(); // buf 0.5, p 0.95
    opt.step(); // buf 0.95, p 0.855
    expect(values(p)[0]).toBeCloseTo(0.855, 12);
    const q = vec64([2]);
    const plain = new SGD([q], { lr: 0.5, weightDecay: 0.5 });
    setGrad(q, [1]);
    plain.step(); // g' = 1 + 0.5 * 2 = 2; 2 - 0.5 * 2 = 1
    expect(values(q)[0]).toBeCloseTo(1, 12);
  });

  it('rejects bad hyperparameters by name', () => {
    expect(() => new AdamW([vec64([1])], { lr: -1 })).toThrow(/AdamW: lr must be >= 0/);
    expect(() => new Adam([vec64([1])], { lr: 1, betas: [1, 0.9] })).toThrow(/betas\[0\] must be in \[0, 1\)/);
    expect(() => new SGD([], { lr: 1 })).toThrow(/no parameters/);
  });
});

describe('clipGradNorm', () => {
  it('returns the pre-clip global norm and scales gradients to maxNorm', () => {
    const a = vec64([0, 0]);
    const b = vec64([0]);
    setGrad(a, [3, 4]);
    setGrad(b, [12]);
    const norm = clipGradNorm([a, b], 6.5);
    expect(norm.itemSync()).toBeCloseTo(13, 12);
    expect(
      values(a.grad!)
        .concat(values(b.grad!))
        .map((x) => (x * 13.000001) / 6.5),
    ).toEqual([3, 4, 12].map((x) => expect.closeTo(x, 9)));
    expect(clipGradNorm([a, b], 100).itemSync()).toBeCloseTo(6.5, 5);
    expect(values(b.grad!)[0]).toBeCloseTo(6, 5);
  });
});

describe('schedules', () => {
  it('warmup then linear decay, and cosine', () => {
    const lin = linearWarmupDecay({ peakLr: 1, warmupSteps: 4, totalSteps: 12 });
    expect([0, 3, 4, 8, 12, 20].map(lin)).toEqual([0.25, 1, 1, 0.5, 0, 0]);
    const cos = cosineWithWarmup({ peakLr: 1, warmupSteps: 4, totalSteps: 12, finalLr: 0.1 });
    expect(cos(4)).toBeCloseTo(1, 12);
    expect(cos(8)).toBeCloseTo(0.55, 12);
    expect(cos(6)).toBeCloseTo(0.1 + 0.45 * (1 + Math.SQRT1_2), 12);
    expect(cos(12)).toBeCloseTo(0.1, 12);
    expect(constantLr(0.3)(99)).toBe(0.3);
    expect(() => linearWarmupDecay({ peakLr: 1, warmupSteps: 5, totalSteps: 5 })).toThrow(/warmupSteps < totalSteps/);
  });

  it('no warmup starts at the peak; finalLr is held after totalSteps; each bad range is named', () => {
    const lin = linearWarmupDecay({ peakLr: 2, warmupSteps: 0, totalSteps: 4, finalLr: 1 });
    expect([0, 1, 2, 4, 9].map(lin)).toEqual([2, 1.75, 1.5, 1, 1]);
    const cos = cosineWithWarmup({ peakLr: 1, warmupSteps: 2, totalSteps: 4 });
    expect([0, 1].map(cos)).toEqual([0.5, 1]);
    expect(cos(3)).toBeCloseTo(0.5, 12);
    expect([4, 40].map(cos)).toEqual([0, 0]);
    for (const [warmupSteps, totalSteps] of [
      [-1, 4],
      [5, 5],
      [6, 5],
      [Number.NaN, 5],
    ]) {
      expect(() => cosineWithWarmup({ peakLr: 1, warmupSteps, totalSteps })).toThrow(
        `cosineWithWarmup: need 0 <= warmupSteps < totalSteps, got warmupSteps ${warmupSteps}, totalSteps ${totalSteps}`,
      );
    }
    expect(() => linearWarmupDecay({ peakLr: 1, warmupSteps: -1, totalSteps: 3 })).toThrow(
      'linearWarmupDecay: need 0 <= warmupSteps < totalSteps, got warmupSteps -1, totalSteps 3',
    );
  });
});
