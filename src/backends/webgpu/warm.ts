// What WebGPUBackend.warmUp compiles ahead of a training step: one call of every kernel (and kernel variant) a step
// uses, run in the runner's recording mode, which notes each kernel instead of dispatching it.

import type { BinaryOp, ReduceOp, Storage, UnaryOp } from '../backend.js';
import { BINARY_OPS } from '../backend.js';
import type { WebGPUBackend } from './index.js';

/** Compiles, through `warm` (Runner.warm), the kernels `b`'s ops would dispatch; resolves to the number compiled. */
export async function warmUp(b: WebGPUBackend, warm: (calls: () => void) => Promise<number>): Promise<number> {
  const f = b.fromArray(new Float32Array(8), 'float32');
  const long = b.fromArray(new Float32Array(128), 'float32'); // rows past the short-row kernel's 64
  const ids = b.fromArray(new Int32Array([0, 1, 0, 1, 1, 0, 1, 0]), 'int32');
  const k = b.fromArray(new Float32Array([0.5]), 'float32');
  const made: Storage[] = [];
  const keep = (...s: Storage[]): void => void made.push(...s);
  const v = { shape: [8], strides: [1], offset: 0 };
  const sv = { shape: [8], strides: [0], offset: 0 };
  const spec = {
    lr: 1,
    beta1: 0.9,
    beta2: 0.99,
    eps: 1e-8,
    biasCorrection1: 1,
    biasCorrection2: 1,
    weightDecay: 0,
    decoupled: true,
  };
  const count = await warm(() => {
    const ops: readonly BinaryOp[] = BINARY_OPS;
    for (const op of ops)
      keep(
        b.binary(op, f, v, f, v, 'float32'),
        b.binary(op, f, v, k, sv, 'float32'),
        b.binary(op, k, sv, f, v, 'float32'),
      );
    const unaryOps: UnaryOp[] = [
      'neg',
      'exp',
      'log',
      'sqrt',
      'tanh',
      'abs',
      'sign',
      'sigmoid',
      'expm1',
      'log1p',
      'reciprocal',
    ];
    for (const op of unaryOps) keep(b.unary(op, f));
    for (const op of ['sum', 'max', 'argmax'] as ReduceOp[]) {
      keep(b.reduce(op, f, [2, 4], [1]), b.reduce(op, f, [2, 4], [0]), b.reduce(op, long, [1, 128], [1]));
    }
    const mm = { batchShape: [], aBatchStrides: [], bBatchStrides: [], m: 2, n: 2, k: 2 };
    for (const transA of [false, true])
      for (const transB of [false, true]) keep(b.matmul(f, f, { ...mm, transA, transB }));
    keep(b.softmax(f, 2, 4), b.logSoftmax(f, 2, 4), b.softmaxBackward(f, f, 2, 4), b.logSoftmaxBackward(f, f, 2, 4));
    const ln = b.layerNorm(f, 2, 4, 1e-5);
    keep(ln.y, ln.rstd, b.layerNormBackward(f, ln.rstd, f, 2, 4), b.gelu(f), b.geluBackward(f, f));
    const ab = b.affineBackward(f, f, 2, 4);
    keep(b.affine(f, ln.rstd, ln.rstd, 4, 2), ab.dw, ab.db);
    for (const cond of [f, ids]) keep(b.where(cond, v, f, v, f, v), b.where(cond, v, f, v, k, sv));
    const computedIds = b.binary('add', ids, v, ids, { ...v, strides: [0] }, 'int32');
    keep(computedIds, b.gather(f, [2, 4], 1, ids, [2, 4]), b.scatterAdd([2, 4], 1, computedIds, f, [2, 4]));
    keep(b.scatterAdd([2], 0, ids, f, [8]), b.concat([f, f], [[8], [8]], 0), b.copyStrided(f, sv));
    keep(b.cast(f, 'int32'), b.cast(ids, 'float32'), b.dropout(f, 0.1, [1, 2]));
    for (const scale of [undefined, k]) {
      const u = b.adamUpdate(f, f, f, f, spec, scale);
      keep(u.param, u.m, u.v);
    }
    const gn = b.globalNorm([f, long], 1);
    keep(gn.norm, gn.scale!);
    const qkv = b.fromArray(new Float32Array(12), 'float32'); // B 1, T 2, H 1, D 2
    keep(qkv);
    const at = { batch: 1, seq: 2, heads: 1, headDim: 2, scale: 0.5 };
    for (const spec of [at, { ...at, dropout: { p: 0.1, key: [1, 2] as const } }]) {
      const a = b.attention(qkv, spec);
      const dropped = a.dropped ?? a.probs;
      keep(a.y, a.probs, ...(a.dropped ? [a.dropped] : []));
      keep(b.attentionBackward(qkv, a.probs, dropped, a.y, spec));
    }
  });
  for (const s of [f, long, ids, k, ...made]) b.dispose(s);
  return count;
}
