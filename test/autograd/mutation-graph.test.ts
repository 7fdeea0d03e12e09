// graph.ts pinned by values (issue 12, mutation testing): which tensors computeGradients visits and returns for a
// given set of targets, what each backward rule is asked for (`needs`) and how often it runs, the closure check
// behind higher-order grads, and anomaly mode's messages in full.

import { afterEach, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../src/index.js';
import {
  AnomalyError,
  checkFinite,
  computeGradients,
  dependsOnOthers,
  detectAnomaly,
  enableGrad,
  isAnomalyDetectionEnabled,
  isGradEnabled,
  noGrad,
  record,
  setAnomalyDetection,
} from '../../src/autograd/graph.js';
import { composite } from '../../src/autograd/ops/unary.js';

const f64 = (data: number[], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const values = (t: Tensor | undefined) => Array.from(t!.dataSync());

afterEach(() => setAnomalyDetection(false));

/** y = 3 x, with a rule that logs each call's `needs` and hands back a gradient for every input. */
function spyTriple(x: Tensor, log: boolean[][], extra?: Tensor): Tensor {
  const inputs = extra ? [x, extra] : [x];
  return composite(
    'spyTriple',
    inputs,
    () => x.mul(3),
    (g, needs) => {
      log.push([...needs]);
      return inputs.map(() => g.mul(3));
    },
  );
}

describe('computeGradients', () => {
  it('with targets, returns only tensors on a path to them and skips rules that lead elsewhere', () => {
    const x = f64([1, 2], true);
    const w = f64([5, 7], true);
    const log: boolean[][] = [];
    const a = spyTriple(x, log); // 3x
    const b = spyTriple(w, log); // 3w
    const y = a.mul(b).sum(); // 9 x w
    const grads = computeGradients([y], [f64([1])], [x], false);
    expect(values(grads.get(x))).toEqual([45, 63]); // 9 w
    expect(grads.has(w)).toBe(false);
    expect(grads.has(b)).toBe(false);
    // only a's rule ran, asked for its one input
    expect(log).toEqual([[true]]);
  });

  it('without targets, fills every leaf reached, and the seed scales everything', () => {
    const x = f64([1, 2], true);
    const w = f64([5, 7], true);
    const y = x.mul(w).sum();
    const grads = computeGradients([y], [f64([2])], undefined, false);
    expect(values(grads.get(x))).toEqual([10, 14]);
    expect(values(grads.get(w))).toEqual([2, 4]);
    expect(values(grads.get(y))).toEqual([2]);
  });

  it('a rule is told which inputs are wanted, and a gradient it returns for an unwanted one is dropped', () => {
    const x = f64([1], true);
    const w = f64([2], true);
    const log: boolean[][] = [];
    const y = spyTriple(x, log, w).sum();
    const grads = computeGradients([y], [f64([1])], [w], false);
    expect(log).toEqual([[false, true]]);
    expect(values(grads.get(w))).toEqual([3]);
    expect(grads.has(x)).toBe(false);
  });

  it('stops at a target that is an intermediate result unless a further target lies below it', () => {
    const x = f64([1, 2], true);
    const log: boolean[][] = [];
    const h = spyTriple(x, log);
    const y = h.square().sum();
    const grads = computeGradients([y], [f64([1])], [h], false);
    expect(values(grads.get(h))).toEqual([6, 12]); // 2h
    expect(log).toEqual([]);
    expect(grads.has(x)).toBe(false);
    // with x a target too, h's rule runs once
    const both = computeGradients([y], [f64([1])], [h, x], false);
    expect(values(both.get(x))).toEqual([18, 36]); // 2h * 3
    expect(log).toEqual([[true]]);
  });

  it('a root that does not reach the targets, or does not require grad, contributes nothing', () => {
    const x = f64([1], true);
    const w = f64([4], true);
    const y = w.mul(2).sum();
    expect(computeGradients([y], [f64([1])], [x], false).size).toBe(0);
    const c = f64([3]);
    expect(computeGradients([c], [f64([1])], undefined, false).size).toBe(0);
  });

  it('sums the gradients of several roots and of a tensor reached along several paths, running each rule once', () => {
    const x = f64([2], true);
    const log: boolean[][] = [];
    const h = spyTriple(x, log); // 3x, used by both roots and twice in the second
    const r1 = h.sum();
    const r2 = h.mul(h).sum();
    const grads = computeGradients([r1, r2], [f64([1]), f64([10])], undefined, false);
    // d/dx [3x + 10 * 9 x^2] = 3 + 180 x
    expect(values(grads.get(x))).toEqual([363]);
    expect(log).toEqual([[true]]);
  });

  it('a root that is also an input of a later root is walked once', () => {
    // the later root is walked first and reaches the earlier one, which is then met a second time
    const x = f64([2], true);
    const log: boolean[][] = [];
    const h = spyTriple(x, log);
    const y = h.sum();
    const grads = computeGradients([h, y], [f64([10]), f64([1])], undefined, false);
    // d/dx [sum(3x) + 10 * 3x] = 33
    expect(values(grads.get(x))).toEqual([33]);
    expect(log).toEqual([[true]]);
  });

  it('goes past a target result when any one of its inputs is wanted', () => {
    const x = f64([1], true);
    const w = f64([2], true);
    const log: boolean[][] = [];
    const h = spyTriple(x, log, w);
    const grads = computeGradients([h.sum()], [f64([1])], [h, w], false);
    expect(values(grads.get(w))).toEqual([3]);
    expect(log).toEqual([[false, true]]);
  });

  it('records the backward pass only with createGraph', () => {
    const x = f64([3], true);
    const y = x.mul(x).sum();
    const plain = computeGradients([y], [f64([1])], [x], false).get(x)!;
    expect(plain.requiresGrad).toBe(false);
    const graph = computeGradients([y], [f64([1])], [x], true).get(x)!;
    expect(graph.requiresGrad).toBe(true);
    expect(values(computeGradients([graph.sum()], [f64([1])], [x], false).get(x))).toEqual([2]);
    // the mode is restored afterwards, even inside noGrad
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      computeGradients([y], [f64([1])], [x], true);
      expect(isGradEnabled()).toBe(false);
    });
  });
});

describe('record and the grad mode', () => {
  it('attaches a node only when grad is on and some input requires grad', () => {
    const x = f64([1], true);
    const c = f64([1]);
    const rule = (g: Tensor) => [g];
    expect(record('id', f64([1]), [c], rule).requiresGrad).toBe(false);
    expect(record('id', f64([1]), [c, x], rule).requiresGrad).toBe(true);
    expect(noGrad(() => record('id', f64([1]), [x], rule)).requiresGrad).toBe(false);
    expect(noGrad(() => enableGrad(() => record('id', f64([1]), [x], rule))).requiresGrad).toBe(true);
    expect(enableGrad(() => isGradEnabled())).toBe(true);
  });
});

describe('dependsOnOthers', () => {
  it('is true only when a tensor requiring grad outside the inputs feeds the root', () => {
    const x = f64([1, 2], true);
    const w = f64([3, 4], true);
    const c = f64([5, 6]);
    const inputs = new Set([x]);
    expect(dependsOnOthers(x, inputs)).toBe(false);
    expect(dependsOnOthers(x.exp().mul(c).sum(), inputs)).toBe(false);
    expect(dependsOnOthers(c, inputs)).toBe(false);
    expect(dependsOnOthers(w, inputs)).toBe(true);
    expect(dependsOnOthers(x.mul(w).sum(), inputs)).toBe(true);
    // a shared subexpression is visited once and still found
    const e = x.exp();
    expect(dependsOnOthers(e.mul(e).add(e.mul(w)), inputs)).toBe(true);
    expect(dependsOnOthers(e.mul(e).add(e), inputs)).toBe(false);
    expect(dependsOnOthers(x.mul(w).sum(), new Set([x, w]))).toBe(false);
  });
});

describe('anomaly mode', () => {
  it('setAnomalyDetection switches it on and off', () => {
    expect(isAnomalyDetectionEnabled()).toBe(false);
    setAnomalyDetection(true);
    expect(isAnomalyDetectionEnabled()).toBe(true);
    setAnomalyDetection(false);
    expect(isAnomalyDetectionEnabled()).toBe(false);
    detectAnomaly(() => expect(isAnomalyDetectionEnabled()).toBe(true));
    expect(isAnomalyDetectionEnabled()).toBe(false);
  });

  it('checkFinite passes finite values, names the first bad one, and needs synchronous reads', () => {
    checkFinite(f64([1, -2, 0]), 'x');
    expect(() => checkFinite(f64([1, Number.NEGATIVE_INFINITY, Number.NaN]), 'thing')).toThrow(
      'anomaly: thing produced -Infinity at flat index 1 (shape [3], float64)',
    );
    const noSync = { backend: { name: 'remote', readSync: undefined } } as unknown as Tensor;
    expect(() => checkFinite(noSync, 'x')).toThrow(
      "anomaly detection needs synchronous reads; backend 'remote' has none (use the cpu backend)",
    );
  });

  it('a non-finite value inside a rule is reported as that rule, with the inner message after it', () => {
    const x = f64([0, 1], true);
    let caught: unknown;
    try {
      detectAnomaly(() => x.sqrt().sum().backward());
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AnomalyError);
    const msg = (caught as Error).message;
    expect(
      msg.startsWith("anomaly: backward of 'sqrt' (inputs [2]) produced a non-finite value; inside its rule, "),
    ).toBe(true);
    // the inner message loses its own 'anomaly: ' prefix and keeps the rest
    const inner = msg.split('inside its rule, ')[1];
    expect(inner).toMatch(/^forward of '\w+' \(inputs /);
    expect(inner).toMatch(/produced Infinity at flat index 0 \(shape \[2\], float64\)$/);
  });

  it('names every input shape of the blamed op', () => {
    const x = f64([0, 1], true);
    const w = f64([1], true);
    const twoInputs = composite(
      'twoInputs',
      [x, w],
      () => x.add(w),
      (g) => [g.div(f64([0, 1])), g.sum()],
    );
    expect(() => detectAnomaly(() => twoInputs.sum().backward())).toThrow(
      /^anomaly: backward of 'twoInputs' \(inputs \[2\], \[1\]\) produced a non-finite value; inside its rule, /,
    );
  });

  it('any other error from a rule passes through unchanged, and only anomaly mode reads gradients', () => {
    const x = f64([1], true);
    const failing = composite(
      'failing',
      [x],
      () => x.mul(1),
      () => {
        throw new RangeError('boom');
      },
    );
    let caught: unknown;
    try {
      detectAnomaly(() => failing.sum().backward());
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('boom');
    // outside anomaly mode a NaN gradient is accumulated silently
    const y = f64([1, 2], true);
    const nan = composite(
      'nan',
      [y],
      () => y.mul(1),
      () => [f64([Number.NaN, 1])],
    );
    nan.sum().backward();
    expect(values(y.grad!)[0]).toBeNaN();
  });
});
