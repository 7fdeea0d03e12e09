// Anomaly mode names the first op whose result (forward) or gradient (backward) is NaN/Inf.

import { afterEach, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { detectAnomaly, setAnomalyDetection, tensor } from '../../src/index.js';
import { isAnomalyDetectionEnabled } from '../../src/autograd/graph.js';
import { composite } from '../../src/autograd/ops/unary.js';

const f64 = (data: number[], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });

afterEach(() => setAnomalyDetection(false));

describe('forward', () => {
  it('names the first op producing NaN, not the ones after it', () => {
    const x = f64([3, 1]);
    expect(() => detectAnomaly(() => x.sub(2).log().exp().sum())).toThrow(
      "anomaly: forward of 'log' (inputs [2]) produced NaN at flat index 1 (shape [2], float64)",
    );
  });
  it('names an op producing Inf', () => {
    expect(() => detectAnomaly(() => f64([1, 0]).reciprocal())).toThrow(
      /^anomaly: forward of 'reciprocal' .* produced Infinity at flat index 1/,
    );
  });
  it('is opt-in: without it NaN flows through silently', () => {
    expect(Number.isNaN(f64([-1]).log().exp().itemSync())).toBe(true);
  });
  it('detectAnomaly restores the previous mode, even after a throw', () => {
    expect(() => detectAnomaly(() => f64([-1]).log())).toThrow();
    expect(isAnomalyDetectionEnabled()).toBe(false);
    setAnomalyDetection(true);
    expect(() => f64([-1]).sqrt()).toThrow(/forward of 'sqrt'/);
  });
});

describe('backward', () => {
  it('blames the op whose rule produced Inf (sqrt at 0), not a helper op inside its rule', () => {
    const x = f64([0, 1], true);
    expect(() => detectAnomaly(() => x.sqrt().sum().backward())).toThrow(
      /^anomaly: backward of 'sqrt' \(inputs \[2\]\)/,
    );
  });
  it('blames pow for the gradient of x^0.5 at 0', () => {
    const x = f64([4, 0], true);
    expect(() => detectAnomaly(() => x.pow(0.5).sum().backward())).toThrow(/^anomaly: backward of 'pow'/);
  });
  it('names the op and the input when a rule hands back a non-finite gradient', () => {
    const x = f64([1, 2], true);
    const nanRule = (v: Tensor): Tensor =>
      composite(
        'nanRule',
        [v],
        () => v.mul(2),
        () => [f64([0, Number.NaN])],
      );
    expect(() => detectAnomaly(() => nanRule(x).sum().backward())).toThrow(
      "anomaly: backward of 'nanRule' (gradient for input 0, shape [2]) produced NaN at flat index 1 (shape [2], float64)",
    );
  });
  it('does not fire on a finite graph', () => {
    const x = f64([1, 2], true);
    detectAnomaly(() => x.sqrt().log().sum().backward());
    const [g1, g2] = x.grad!.dataSync(); // d/dx log sqrt x = 1 / (2x)
    expect(g1).toBeCloseTo(0.5, 14);
    expect(g2).toBeCloseTo(0.25, 14);
  });
});
