// The tiny GPT-2 written in tfjs ops, reading the same Hugging Face-named weights as slimegrad's nn.GPT:
// pre-LN blocks, tanh-GELU, causal softmax attention, tied LM head, mean cross-entropy.

import type { Tf } from './peers.js';
import type * as tfTypes from '@tensorflow/tfjs';

export interface GptShape {
  vocab: number;
  ctx: number;
  d: number;
  layers: number;
  heads: number;
  batch: number;
}

type T = tfTypes.Tensor;
type Vars = Map<string, tfTypes.Variable>;

function layerNorm(tf: Tf, x: T, w: T, b: T): T {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, 1e-5))), w), b);
}

function gelu(tf: Tf, x: T): T {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

function linear(tf: Tf, x2d: T, vars: Vars, name: string): T {
  return tf.add(tf.matMul(x2d, vars.get(`${name}.weight`)!), vars.get(`${name}.bias`)!);
}

/**
 * Mean next-token cross-entropy on one-hot tokens [B*T, V] with one-hot targets [B*T, V]. The embedding lookup is
 * a one-hot matmul because tfjs-wasm has no gradient kernel for gather (UnsortedSegmentSum); the values are equal.
 */
export function tfjsGptLoss(tf: Tf, s: GptShape, vars: Vars, oneHotTokens: T, oneHotTargets: T, causal: T): T {
  const { batch: B, ctx: Tn, d: C, heads: H } = s;
  const D = C / H;
  const tok = tf.reshape(tf.matMul(oneHotTokens, vars.get('transformer.wte.weight')!), [B, Tn, C]);
  let x: T = tf.reshape(tf.add(tok, vars.get('transformer.wpe.weight')!), [B * Tn, C]);
  for (let l = 0; l < s.layers; l++) {
    const p = `transformer.h.${l}`;
    const h1 = layerNorm(tf, x, vars.get(`${p}.ln_1.weight`)!, vars.get(`${p}.ln_1.bias`)!);
    const qkv = tf.transpose(tf.reshape(linear(tf, h1, vars, `${p}.attn.c_attn`), [B, Tn, 3, H, D]), [2, 0, 3, 1, 4]);
    const [q, k, v] = tf.unstack(qkv, 0);
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D));
    const masked = tf.where(causal, scores, tf.fill(scores.shape, -1e9));
    const att = tf.matMul(tf.softmax(masked, -1), v);
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [B * Tn, C]);
    x = tf.add(x, linear(tf, merged, vars, `${p}.attn.c_proj`));
    const h2 = layerNorm(tf, x, vars.get(`${p}.ln_2.weight`)!, vars.get(`${p}.ln_2.bias`)!);
    x = tf.add(x, linear(tf, gelu(tf, linear(tf, h2, vars, `${p}.mlp.c_fc`)), vars, `${p}.mlp.c_proj`));
  }
  const hf = layerNorm(tf, x, vars.get('transformer.ln_f.weight')!, vars.get('transformer.ln_f.bias')!);
  const logits = tf.matMul(hf, vars.get('transformer.wte.weight')!, false, true);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), oneHotTargets), -1)));
}
