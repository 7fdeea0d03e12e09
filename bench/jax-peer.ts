// The jax-js peer (`@jax-js/jax`, a dev dependency): its wasm device, which emits WebAssembly from TypeScript at run
// time like slimegrad's kernels, with `jit` around each timed function. In Node it runs on one thread (its worker
// pool needs a global `Worker`). Same problems as the other peers: square matmuls and the 784-256-10 MLP step.

import { init, defaultDevice, jit, numpy as np, nn, valueAndGrad, type Array as JaxArray } from '@jax-js/jax';
import { timeReps } from './stats.js';
import { newRun, startStep, type StepRun } from './mlp-bench.js';

let ready: Promise<void> | null = null;

/** Starts the wasm device once. */
export function loadJax(): Promise<void> {
  ready ??= (async () => {
    await init('wasm');
    defaultDevice('wasm');
  })();
  return ready;
}

/** ms per call of one jitted n x n float32 matmul (transposes inside the jitted function). */
export async function jaxMatmul(
  n: number,
  transA: boolean,
  transB: boolean,
  seed: number,
  budgetMs: number,
): Promise<number[]> {
  await loadJax();
  const values = (s: number) => Float32Array.from({ length: n * n }, (_, i) => Math.sin(s * 7.1 + i * 0.37));
  const a = np.array(values(seed)).reshape([n, n]);
  const b = np.array(values(seed + 1)).reshape([n, n]);
  const mm = jit((x: JaxArray, y: JaxArray) => np.matmul(transA ? np.transpose(x) : x, transB ? np.transpose(y) : y));
  const run = (): void => {
    const c = mm(a.ref, b.ref);
    c.dataSync();
  };
  run(); // warm-up: tracing and kernel compilation
  const ms = timeReps(run, budgetMs);
  a.dispose();
  b.dispose();
  mm.dispose();
  return ms;
}

type MlpParams = { w1: JaxArray; b1: JaxArray; w2: JaxArray; b2: JaxArray };

/** The MLP step of mlp-bench.ts: mean softmax cross-entropy, its gradient, SGD, all in one jitted function. */
export async function jaxMlp(
  p: { w1: Float32Array; w2: Float32Array; x: Float32Array; y: Int32Array },
  dims: { inputs: number; hidden: number; outputs: number; batch: number; lr: number },
  steps: number,
): Promise<StepRun> {
  await loadJax();
  const { inputs, hidden, outputs, batch, lr } = dims;
  const oneHot = new Float32Array(batch * outputs);
  p.y.forEach((label, i) => (oneHot[i * outputs + label] = 1));
  const x = np.array(p.x).reshape([batch, inputs]);
  const labels = np.array(oneHot).reshape([batch, outputs]);
  let params: MlpParams = {
    w1: np.array(p.w1).reshape([inputs, hidden]),
    b1: np.zeros([hidden]),
    w2: np.array(p.w2).reshape([hidden, outputs]),
    b2: np.zeros([outputs]),
  };
  const loss = (q: MlpParams, xs: JaxArray, ys: JaxArray): JaxArray => {
    const h = nn.relu(np.matmul(xs, q.w1).add(q.b1));
    const logits = np.matmul(h, q.w2).add(q.b2);
    return np.negative(np.mean(np.sum(nn.logSoftmax(logits, -1).mul(ys), -1)));
  };
  const step = jit((q: MlpParams, xs: JaxArray, ys: JaxArray) => {
    const [value, g] = valueAndGrad(loss)({ w1: q.w1.ref, b1: q.b1.ref, w2: q.w2.ref, b2: q.b2.ref }, xs, ys);
    const next: MlpParams = {
      w1: q.w1.sub(g.w1.mul(lr)),
      b1: q.b1.sub(g.b1.mul(lr)),
      w2: q.w2.sub(g.w2.mul(lr)),
      b2: q.b2.sub(g.b2.mul(lr)),
    };
    return [value, next] as [JaxArray, MlpParams];
  });
  const run = newRun();
  for (let s = 0; s < steps; s++) {
    const done = startStep(run);
    const [value, next] = step(params, x.ref, labels.ref);
    params = next;
    const l = value.dataSync()[0];
    done();
    run.losses.push(l);
  }
  for (const a of [params.w1, params.b1, params.w2, params.b2, x, labels]) a.dispose();
  step.dispose();
  return run;
}
