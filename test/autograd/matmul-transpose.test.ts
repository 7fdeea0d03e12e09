// First-order gradient checks of matmul for each transpose combination on its own (GPT's LM head and attention
// scores use transB; backward itself uses every combination). Square operands are included so that a backward
// rule with a wrong flag still has matching shapes and is caught by value, not by a shape error.

import { describe, expect, it } from 'vitest';
import { gradcheck, randn } from '../../src/index.js';
import { matmulT } from '../../src/autograd/ops/matmul.js';

const cases: { name: string; a: number[]; b: number[] }[] = [
  { name: 'square', a: [4, 4], b: [4, 4] },
  { name: 'rectangular', a: [3, 5], b: [5, 2] },
  { name: 'batched with broadcasting', a: [2, 1, 3, 4], b: [3, 4, 2] },
];

/** The stored shape for an operand whose logical shape is `shape` and that is passed transposed when `t`. */
const stored = (shape: number[], t: boolean) =>
  t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape;

describe('matmul gradients, one transpose combination at a time', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const c of cases) {
        it(`transA=${transA} transB=${transB}, ${c.name}`, () => {
          const a = randn(stored(c.a, transA), { seed: 1, dtype: 'float64' }).requireGrad();
          const b = randn(stored(c.b, transB), { seed: 2, dtype: 'float64' }).requireGrad();
          const r = gradcheck((x, y) => matmulT(x, y, transA, transB), [a, b]);
          expect(r.ok, r.message).toBe(true);
        });
      }
    }
  }
});
