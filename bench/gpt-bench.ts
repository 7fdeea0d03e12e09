// One training step of a tiny GPT-2 (vocab 64, context 32, d_model 64, 2 layers, 4 heads, batch 8, Adam) on every
// engine, all starting from slimegrad's initial weights on the same batch, so their losses must agree.

import { type Tensor, crossEntropy, tensor } from '../src/index.js';
import { GPT } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import type { Engine } from './engines.js';
import { newRun, startStep, timeSlimegradSteps, type StepRun } from './mlp-bench.js';
import type { Tf } from './peers.js';
import { tfjsGptLoss, type GptShape } from './gpt-tfjs.js';

export const GPT_SHAPE: GptShape = { vocab: 64, ctx: 32, d: 64, layers: 2, heads: 4, batch: 8 };
const LR = 3e-3;

function makeModel(): GPT {
  const s = GPT_SHAPE;
  return new GPT(
    { vocabSize: s.vocab, blockSize: s.ctx, nEmbd: s.d, nLayer: s.layers, nHead: s.heads, dropout: 0 },
    { seed: 7 },
  );
}

/** A fixed batch: inputs [B, T] and next-token targets [B*T] from a simple deterministic sequence. */
function batch(): { tokens: Int32Array; targets: Int32Array } {
  const { batch: B, ctx: T, vocab: V } = GPT_SHAPE;
  const seq = Int32Array.from({ length: B * (T + 1) }, (_, i) => (i * 13 + ((i * i) % 7)) % V);
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      tokens[b * T + t] = seq[b * (T + 1) + t];
      targets[b * T + t] = seq[b * (T + 1) + t + 1];
    }
  }
  return { tokens, targets };
}

export async function benchGpt(engine: Engine, steps: number): Promise<StepRun> {
  const tf = await engine.activate();
  const model = makeModel();
  try {
    return tf === null ? slimegradGpt(model, steps) : tfjsGpt(tf, model, steps);
  } finally {
    model.dispose();
  }
}

function slimegradGpt(model: GPT, steps: number): StepRun {
  const { batch: B, ctx: T, vocab: V } = GPT_SHAPE;
  const data = batch();
  const tokens = tensor(data.tokens, { shape: [B, T] });
  const targets = tensor(data.targets);
  const opt = new Adam(model.namedParameters(), { lr: LR });
  const run = timeSlimegradSteps(steps, opt, () => crossEntropy(model.forward(tokens).reshape([B * T, V]), targets));
  opt.dispose();
  for (const t of [tokens, targets] as Tensor[]) t.dispose();
  return run;
}

function tfjsGpt(tf: Tf, model: GPT, steps: number): StepRun {
  const { ctx: T, vocab: V } = GPT_SHAPE;
  const vars = new Map(
    model
      .namedParameters()
      .map(([name, p]) => [name, tf.variable(tf.tensor(p.dataSync() as Float32Array, [...p.shape]))]),
  );
  const data = batch();
  const tokens = tf.oneHot(tf.tensor1d(data.tokens, 'int32'), V).toFloat();
  const targets = tf.oneHot(tf.tensor1d(data.targets, 'int32'), V).toFloat();
  const allowed = new Uint8Array(T * T).map((_, i) => (i % T <= Math.floor(i / T) ? 1 : 0));
  const causal = tf.tensor2d(allowed, [T, T], 'bool');
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  const varList = [...vars.values()];
  const run = newRun();
  for (let s = 0; s < steps; s++) {
    const done = startStep(run);
    const loss = opt.minimize(
      () => tfjsGptLoss(tf, GPT_SHAPE, vars, tokens, targets, causal) as ReturnType<typeof tf.scalar>,
      true,
      varList,
    )!;
    const value = loss.dataSync()[0];
    loss.dispose();
    done();
    run.losses.push(value);
  }
  opt.dispose();
  tf.dispose([...varList, tokens, targets, causal]);
  return run;
}
