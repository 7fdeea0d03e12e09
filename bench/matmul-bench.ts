// matmul GFLOP/s (2·m·n·k flops per call) for square sizes, plain and the two transposed forms backward uses:
// dW = xᵀ·g (transA) and dx = g·Wᵀ (transB).

import { randn } from '../src/index.js';
import { noGrad } from '../src/autograd/graph.js';
import { matmulT } from '../src/autograd/ops/matmul.js';
import type { Engine } from './engines.js';
import { timeReps } from './stats.js';
import { jaxMatmul } from './jax-peer.js';

export type Variant = 'A·B' | 'Aᵀ·B' | 'A·Bᵀ';
export const VARIANTS: readonly Variant[] = ['A·B', 'Aᵀ·B', 'A·Bᵀ'];

const flags: Record<Variant, [boolean, boolean]> = { A·B: [false, false], Aᵀ·B: [true, false], A·Bᵀ: [false, true] };

/** GFLOP/s of each timed call for one engine, size and variant. */
export async function benchMatmul(engine: Engine, n: number, variant: Variant, budgetMs: number): Promise<number[]> {
  const [tA, tB] = flags[variant];
  const flops = 2 * n * n * n;
  const tf = await engine.activate();
  let ms: number[];
  if (engine.kind === 'jax') {
    ms = await jaxMatmul(n, tA, tB, 1, budgetMs);
  } else if (tf === null) {
    const a = randn([n, n], { seed: 1 });
    const b = randn([n, n], { seed: 2 });
    matmulT(a, b, tA, tB).dispose(); // warm-up: JIT and packing buffers
    ms = timeReps(() => noGrad(() => matmulT(a, b, tA, tB)).dispose(), budgetMs);
    a.dispose();
    b.dispose();
  } else {
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
    const run = (): void => {
      const c = tf.matMul(a, b, tA, tB);
      c.dataSync();
      c.dispose();
    };
    run();
    ms = timeReps(run, budgetMs);
    a.dispose();
    b.dispose();
  }
  return ms.map((t) => flops / t / 1e6);
}
