// Each fused fast path (softmax, logSoftmax, layerNorm, GELU, and crossEntropy through logSoftmax) against the
// composed reference: the same ops run on a second CPU backend whose fused kernels are removed. Values, first-order
// gradients (fused backward kernels) and second-order gradients (composed backward, createGraph) must agree in float64;
// float32 must match the float64 result to float32 rounding.

import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  crossEntropy,
  grad,
  gradcheck,
  gradgradcheck,
  randn,
  registerBackend,
  tensor,
} from '../../../src/index.js';
import type { DType } from '../../../src/backends/backend.js';
import { CpuBackend } from '../../../src/backends/cpu/index.js';
import { maxRelErr } from './reference.js';

const FUSED = [
  'softmax',
  'logSoftmax',
  'softmaxBackward',
  'logSoftmaxBackward',
  'layerNorm',
  'layerNormBackward',
  'gelu',
  'geluBackward',
];
const plain = new CpuBackend();
Object.defineProperty(plain, 'name', { value: 'cpu-plain' });
for (const k of FUSED) Object.defineProperty(plain, k, { value: undefined });
registerBackend(plain);

type Op = (x: Tensor, p: Tensor[]) => Tensor;
const cases: Record<
  string,
  { op: Op; fusedNode: string; params?: (d: number, backend: string, dtype: DType) => Tensor[] }
> = {
  softmax: { op: (x) => x.softmax(-1), fusedNode: 'softmax' },
  logSoftmax: { op: (x) => x.logSoftmax(-1), fusedNode: 'logSoftmax' },
  gelu: { op: (x) => x.gelu(), fusedNode: 'gelu' },
  layerNorm: {
    op: (x, [w, b]) => x.layerNorm(w, b, 1e-5),
    fusedNode: 'add',
    params: (d, backend, dtype) => [randn([d], { seed: 5, dtype, backend }), randn([d], { seed: 6, dtype, backend })],
  },
  layerNormBare: { op: (x) => x.layerNorm(undefined, undefined, 1e-3), fusedNode: 'layerNorm' },
};
const shapes = [
  [3, 7],
  [2, 5, 9],
  [1, 1],
  [4, 1],
];

function input(shape: number[], backend: string, dtype: DType = 'float64'): Tensor {
  return randn(shape, { seed: shape.reduce((p, q) => p * 31 + q, 7), dtype, backend }).mul(2);
}

/** The value, d/dx of sum(f * v), and d/dx of sum(d/dx(sum(f * v)) * u) on one backend. */
function evaluate(name: string, shape: number[], backend: string, dtype: DType = 'float64') {
  const c = cases[name];
  const x = input(shape, backend, dtype);
  const p = c.params?.(shape[shape.length - 1], backend, dtype) ?? [];
  const v = randn(shape, { seed: 11, dtype, backend });
  const u = randn(shape, { seed: 12, dtype, backend });
  const first = (t: Tensor): Tensor => grad((z: Tensor) => c.op(z, p).mul(v).sum())(t);
  const second = grad((z: Tensor) => first(z).mul(u).sum())(x);
  // y from a leaf that requires grad, so the graph records which op produced it (the fused one or a composition)
  return { y: c.op(input(shape, backend, dtype).requireGrad(), p), g1: first(x), g2: second };
}

describe('fused CPU kernels equal the composed ops', () => {
  for (const name of Object.keys(cases)) {
    for (const shape of shapes) {
      it(`${name} ${JSON.stringify(shape)}: value, gradient and gradient of gradient`, () => {
        const fast = evaluate(name, shape, 'cpu');
        const ref = evaluate(name, shape, 'cpu-plain');
        expect(fast.y.node?.op).toBe(cases[name].fusedNode);
        if (name !== 'layerNorm') expect(ref.y.node?.op).not.toBe(cases[name].fusedNode);
        expect(maxRelErr(fast.y.dataSync(), ref.y.dataSync())).toBeLessThan(1e-12);
        expect(maxRelErr(fast.g1.dataSync(), ref.g1.dataSync())).toBeLessThan(1e-11);
        expect(maxRelErr(fast.g2.dataSync(), ref.g2.dataSync())).toBeLessThan(1e-10);
      });
    }
    it(`${name} in float32 matches float64 to float32 rounding`, () => {
      const f32 = evaluate(name, [6, 33], 'cpu', 'float32');
      const f64 = evaluate(name, [6, 33], 'cpu-plain', 'float64');
      expect(maxRelErr(f32.y.dataSync(), f64.y.dataSync())).toBeLessThan(1e-5);
      expect(maxRelErr(f32.g1.dataSync(), f64.g1.dataSync())).toBeLessThan(1e-4);
    });
  }

  it('the fused path is really taken on cpu and not on the plain backend', () => {
    const x = input([2, 3], 'cpu').requireGrad();
    const xp = input([2, 3], 'cpu-plain').requireGrad();
    expect(x.softmax(-1).node?.op).toBe('softmax');
    expect(xp.softmax(-1).node?.op).not.toBe('softmax');
    expect(x.gelu().node?.op).toBe('gelu');
    expect(xp.gelu().node?.op).not.toBe('gelu');
  });

  it('gradcheck and gradgradcheck pass through the fused ops', () => {
    const x = input([3, 5], 'cpu');
    for (const f of [
      (t: Tensor) => t.softmax(-1),
      (t: Tensor) => t.logSoftmax(-1),
      (t: Tensor) => t.gelu(),
      (t: Tensor) => t.layerNorm(),
    ]) {
      expect(gradcheck(f, [x]).ok).toBe(true);
      expect(gradgradcheck(f, [x]).ok).toBe(true);
    }
  });

  it('crossEntropy (fused logSoftmax inside) equals the composed one, with extreme logits', () => {
    const run = (backend: string) => {
      const logits = tensor(
        [
          [1000, 0, -1000],
          [3, 2, 1],
          [-5, 40, 0.5],
        ],
        { dtype: 'float64', backend },
      );
      const targets = tensor(new Int32Array([1, 0, 1]), { backend });
      const g = grad((z: Tensor) => crossEntropy(z, targets))(logits);
      return [crossEntropy(logits, targets).itemSync(), ...g.dataSync()];
    };
    expect(maxRelErr(run('cpu'), run('cpu-plain'))).toBeLessThan(1e-12);
  });
});
