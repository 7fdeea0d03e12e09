// One training step of a 784-256-10 ReLU MLP (batch 64, mean softmax cross-entropy, SGD lr 0.1) on every engine,
// from the same initial weights and batch, so the losses must agree step by step.

import { type Tensor, crossEntropy, randn, rand, tensor, tidy } from '../src/index.js';
import { SGD } from '../src/optim/index.js';
import type { Engine } from './engines.js';
import type { Tf } from './peers.js';
import { jaxMlp } from './jax-peer.js';

const IN = 784;
const HIDDEN = 256;
const OUT = 10;
const BATCH = 64;
const LR = 0.1;

export interface StepRun {
  /** ms per step. */
  times: number[];
  /**
   * CPU ms per step (user + system, all of the process's threads): unlike wall time, not stretched while other jobs
   * on a busy machine have the core.
   */
  cpuTimes: number[];
  /** The loss before each timed step's update, in order. */
  losses: number[];
}

/** An empty run. */
export const newRun = (): StepRun => ({ times: [], cpuTimes: [], losses: [] });

/** Starts timing one step; the returned function records its wall and CPU time into `run`. */
export function startStep(run: StepRun): () => void {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    run.times.push(performance.now() - t0);
    run.cpuTimes.push((c.user + c.system) / 1000);
  };
}

/** The shared starting point: weights and one batch as plain float32 arrays. */
function problem(): { w1: Float32Array; w2: Float32Array; x: Float32Array; y: Int32Array } {
  const init = (shape: number[], seed: number, std: number): Float32Array => {
    const t = randn(shape, { seed, std });
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
  };
  const x = rand([BATCH, IN], { seed: 3 });
  const xd = x.dataSync() as Float32Array;
  x.dispose();
  const y = Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + 3) % OUT);
  return { w1: init([IN, HIDDEN], 1, Math.sqrt(2 / IN)), w2: init([HIDDEN, OUT], 2, Math.sqrt(1 / HIDDEN)), x: xd, y };
}

export async function benchMlp(engine: Engine, steps: number): Promise<StepRun> {
  const p = problem();
  const tf = await engine.activate();
  if (engine.kind === 'jax')
    return jaxMlp(p, { inputs: IN, hidden: HIDDEN, outputs: OUT, batch: BATCH, lr: LR }, steps);
  return tf === null ? slimegradMlp(p, steps) : tfjsMlp(tf, p, steps);
}

/** Times `steps` slimegrad training steps: loss, backward, optimizer update, all inside one tidy per step. */
export function timeSlimegradSteps(
  steps: number,
  opt: { step(): void; zeroGrad(): void },
  loss: () => Tensor,
): StepRun {
  const run = newRun();
  for (let s = 0; s < steps; s++) {
    const done = startStep(run);
    const value = tidy(() => {
      const l = loss();
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.itemSync();
    });
    done();
    run.losses.push(value);
  }
  return run;
}

function slimegradMlp(p: ReturnType<typeof problem>, steps: number): StepRun {
  const w1 = tensor(p.w1, { shape: [IN, HIDDEN], requiresGrad: true });
  const b1 = tensor(new Float32Array(HIDDEN), { requiresGrad: true });
  const w2 = tensor(p.w2, { shape: [HIDDEN, OUT], requiresGrad: true });
  const b2 = tensor(new Float32Array(OUT), { requiresGrad: true });
  const x = tensor(p.x, { shape: [BATCH, IN] });
  const y = tensor(p.y);
  const opt = new SGD([w1, b1, w2, b2], { lr: LR });
  const params: Tensor[] = [w1, b1, w2, b2];
  const run = timeSlimegradSteps(steps, opt, () => crossEntropy(x.matmul(w1).add(b1).relu().matmul(w2).add(b2), y));
  opt.dispose();
  for (const t of [...params, x, y]) t.dispose();
  return run;
}

function tfjsMlp(tf: Tf, p: ReturnType<typeof problem>, steps: number): StepRun {
  const w1 = tf.variable(tf.tensor2d(p.w1, [IN, HIDDEN]));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const w2 = tf.variable(tf.tensor2d(p.w2, [HIDDEN, OUT]));
  const b2 = tf.variable(tf.zeros([OUT]));
  const x = tf.tensor2d(p.x, [BATCH, IN]);
  const labels = tf.oneHot(tf.tensor1d(p.y, 'int32'), OUT).toFloat();
  const opt = tf.train.sgd(LR);
  const run = newRun();
  for (let s = 0; s < steps; s++) {
    const done = startStep(run);
    const loss = opt.minimize(
      () => {
        const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), labels), -1)));
      },
      true,
      [w1, b1, w2, b2],
    )!;
    const value = loss.dataSync()[0];
    loss.dispose();
    done();
    run.losses.push(value);
  }
  opt.dispose();
  tf.dispose([w1, b1, w2, b2, x, labels]);
  return run;
}
