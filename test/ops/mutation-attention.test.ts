// How causalAttention dispatches (issue 12, mutation testing of src/autograd/ops/attention.ts): which calls take the
// backend's fused kernels, what spec they get, and which backward runs. The kernels here are stand-ins that record
// their calls and hand back zeros of the right sizes; their values are checked elsewhere
// (test/nn/fused-rules-gradcheck.test.ts, test/webgpu/attention.test.ts).

import { beforeEach, describe, expect, it } from 'vitest';
import type { AttentionSpec, Backend } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import type { Tensor } from '../../src/index.js';
import { FUSED_ATTENTION_MAX_SEQ, causalAttention } from '../../src/autograd/ops/attention.js';
import { detectAnomaly, grad, memory, noGrad, registerBackend, tensor } from '../../src/index.js';
import { keyOf } from '../../src/random.js';

const be = new CpuBackend();
Object.defineProperty(be, 'name', { value: 'cpu-attention' });
const calls: { forward: AttentionSpec[]; backward: number } = { forward: [], backward: 0 };
/** Which result the stand-ins fill with NaN, to see the names anomaly mode gives each. */
let nanIn: 'y' | 'probs' | 'dropped' | 'dqkv' | undefined;
const filled = (n: number, what: typeof nanIn) =>
  be.fromArray(new Float32Array(n).fill(nanIn === what ? Number.NaN : 0), 'float32');
const kernels: Partial<Backend> = {
  attention(_qkv, s) {
    calls.forward.push(s);
    const n = s.batch * s.heads * s.seq * s.seq;
    return {
      y: filled(s.batch * s.seq * s.heads * s.headDim, 'y'),
      probs: filled(n, 'probs'),
      dropped: s.dropout ? filled(n, 'dropped') : undefined,
    };
  },
  attentionBackward(_qkv, _probs, _dropped, _g, s) {
    calls.backward++;
    return filled(s.batch * s.seq * 3 * s.heads * s.headDim, 'dqkv');
  },
};
Object.assign(be, kernels);
registerBackend(be);

const partial = new CpuBackend();
Object.defineProperty(partial, 'name', { value: 'cpu-attention-forward-only' });
Object.assign(partial, { attention: kernels.attention });
registerBackend(partial);

beforeEach(() => {
  nanIn = undefined;
  calls.forward = [];
  calls.backward = 0;
});

const qkvOf = (shape: number[], requiresGrad = false): Tensor =>
  tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(0.1), { shape, backend: 'cpu-attention', requiresGrad });
const maskOf = (t: number): Tensor =>
  tensor(
    Array.from({ length: t * t }, (_, i) => (i % t <= Math.floor(i / t) ? 1 : 0)),
    { shape: [t, t], backend: 'cpu-attention' },
  );
const opts = (t: number, more: Partial<{ dropout: number; seed: number; training: boolean; heads: number }> = {}) => ({
  heads: 2,
  causalMask: maskOf(t),
  dropout: 0,
  seed: 7,
  training: true,
  ...more,
});

describe('causalAttention takes the fused kernels', () => {
  it('up to FUSED_ATTENTION_MAX_SEQ positions, and composes beyond', () => {
    const T = FUSED_ATTENTION_MAX_SEQ;
    expect(T).toBe(256);
    causalAttention(qkvOf([1, T, 6]), opts(T));
    expect(calls.forward.length).toBe(1);
    const y = causalAttention(qkvOf([1, T + 1, 6]), opts(T + 1));
    expect(calls.forward.length).toBe(1);
    expect(y.shape).toEqual([1, T + 1, 2]);
  });

  it('not on a backend without the backward kernel', () => {
    const qkv = tensor(new Array(12).fill(0.1), { shape: [1, 2, 6], backend: 'cpu-attention-forward-only' });
    const mask = tensor([1, 0, 1, 1], { shape: [2, 2], backend: 'cpu-attention-forward-only' });
    causalAttention(qkv, { ...opts(2), causalMask: mask });
    expect(calls.forward.length).toBe(0);
  });

  it('records an attention node', () => {
    expect(causalAttention(qkvOf([1, 2, 6], true), opts(2)).node?.op).toBe('attention');
  });

  it('anomaly mode names each kernel result attention, with qkv (and the gradient) as inputs', () => {
    const forward = "anomaly: forward of 'attention' (inputs [1,2,6]) produced NaN at flat index 0";
    for (const [what, shape] of [
      ['y', '[1,2,2]'],
      ['probs', '[1,2,2,2]'],
      ['dropped', '[1,2,2,2]'],
    ] as const) {
      nanIn = what;
      expect(() => detectAnomaly(() => causalAttention(qkvOf([1, 2, 6], true), opts(2, { dropout: 0.5 })))).toThrow(
        `${forward} (shape ${shape}, float32)`,
      );
    }
    nanIn = 'dqkv';
    expect(() => detectAnomaly(() => grad((x: Tensor) => causalAttention(x, opts(2)).sum())(qkvOf([1, 2, 6])))).toThrow(
      "inside its rule, forward of 'attention' (inputs [1,2,6], [1,2,2]) produced NaN",
    );
  });

  it('not for int32 qkv, which the composition refuses', () => {
    const qkv = tensor(new Array(12).fill(1), { shape: [1, 2, 6], dtype: 'int32', backend: 'cpu-attention' });
    expect(() => causalAttention(qkv, opts(2))).toThrow(/^softmax: expects a float tensor/);
    expect(calls.forward.length).toBe(0);
  });

  it('not for an empty batch', () => {
    expect(causalAttention(qkvOf([0, 2, 6]), opts(2)).shape).toEqual([0, 2, 2]);
    expect(calls.forward.length).toBe(0);
  });

  it('with the batch, sequence, heads, head size and 1/sqrt(D) scale of qkv', () => {
    const y = causalAttention(qkvOf([2, 3, 24]), opts(3, { heads: 2 }));
    expect(y.shape).toEqual([2, 3, 8]);
    expect(calls.forward).toEqual([{ batch: 2, seq: 3, heads: 2, headDim: 4, scale: 0.5, dropout: undefined }]);
  });

  it('with dropout only when training with p > 0, keyed by the seed', () => {
    causalAttention(qkvOf([1, 2, 6]), opts(2, { dropout: 0.25, training: false }));
    causalAttention(qkvOf([1, 2, 6]), opts(2, { dropout: 0 }));
    causalAttention(qkvOf([1, 2, 6]), opts(2, { dropout: 0.25, seed: 9 }));
    expect(calls.forward.map((s) => s.dropout)).toEqual([undefined, undefined, { p: 0.25, key: keyOf(9) }]);
  });
});

describe('its backward', () => {
  it('a first-order gradient runs the backward kernel once, with or without dropout', () => {
    for (const dropout of [0, 0.5]) {
      calls.backward = 0;
      const g = grad((x: Tensor) => causalAttention(x, opts(2, { dropout })).sum())(qkvOf([1, 2, 6]));
      expect(g.shape).toEqual([1, 2, 6]);
      expect(calls.backward).toBe(1);
    }
  });

  it('a recorded backward (gradient of gradient) differentiates the composition instead', () => {
    const gg = grad((z: Tensor) => grad((w: Tensor) => causalAttention(w, opts(2)).sum())(z).sum())(qkvOf([1, 2, 6]));
    expect(gg.shape).toEqual([1, 2, 6]);
    expect(calls.backward).toBe(0);
  });

  it('nothing is kept for a backward that cannot run: only y stays alive', () => {
    const o = opts(2, { dropout: 0.5 });
    for (const [qkv, run] of [
      [qkvOf([1, 2, 6]), (x: Tensor) => causalAttention(x, o)],
      [qkvOf([1, 2, 6], true), (x: Tensor) => noGrad(() => causalAttention(x, o))],
    ] as const) {
      const before = memory();
      const y = run(qkv);
      const after = memory();
      expect(after.tensors - before.tensors).toBe(1);
      expect(after.backends['cpu-attention'].bytes - before.backends['cpu-attention'].bytes).toBe(y.size * 4);
      y.dispose();
    }
  });
});
