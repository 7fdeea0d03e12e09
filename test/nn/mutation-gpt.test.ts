// GPT's construction and input checks pinned at both sides of each bound (issue 12, mutation testing): every
// config rule with its message, the dtype and backend choices, the token checks, and the causal mask's growth.

import { describe, expect, it } from 'vitest';
import { memory, noGrad, tensor, tidy } from '../../src/index.js';
import { getBackend } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor.js';

const cfg: GPTConfig = { vocabSize: 7, blockSize: 8, nEmbd: 4, nLayer: 1, nHead: 2, dropout: 0 };
const ids = (rows: number[][]) => tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length] });
const maskOf = (m: GPT) => (m as unknown as { mask: Tensor | null }).mask;

describe('GPT config rules', () => {
  it('refuses each size that is not a positive integer, naming it', () => {
    for (const key of ['vocabSize', 'blockSize', 'nEmbd', 'nLayer', 'nHead'] as const) {
      for (const bad of [0, -2, 2.5]) {
        expect(() => new GPT({ ...cfg, [key]: bad }, { seed: 0 })).toThrow(
          `GPT: config.${key} must be a positive integer, got ${bad}`,
        );
      }
    }
    // 1 is allowed for every size
    const one = new GPT({ vocabSize: 1, blockSize: 1, nEmbd: 1, nLayer: 1, nHead: 1, dropout: 0 }, { seed: 0 });
    expect(one.forward(ids([[0]])).shape).toEqual([1, 1, 1]);
    one.dispose();
    expect(() => new GPT({ ...cfg, nEmbd: 6, nHead: 4 }, { seed: 0 })).toThrow(
      'GPT: nEmbd (6) must be divisible by nHead (4)',
    );
  });

  it('dropout must lie in [0, 1) and layerNormEpsilon be > 0', () => {
    for (const bad of [-0.01, 1, 1.5, Number.NaN]) {
      expect(() => new GPT({ ...cfg, dropout: bad }, { seed: 0 })).toThrow(
        `GPT: config.dropout must be in [0, 1), got ${bad}`,
      );
    }
    new GPT({ ...cfg, dropout: 0.99 }, { seed: 0 }).dispose();
    for (const bad of [0, -1e-5, Number.NaN]) {
      expect(() => new GPT({ ...cfg, layerNormEpsilon: bad }, { seed: 0 })).toThrow(
        `GPT: config.layerNormEpsilon must be > 0, got ${bad}`,
      );
    }
    const def = new GPT(cfg, { seed: 0 });
    expect(def.config.layerNormEpsilon).toBe(1e-5);
    expect(def.lnF.eps).toBe(1e-5);
    expect(def.h[0].ln1.eps).toBe(1e-5);
    def.dispose();
    const given = new GPT({ ...cfg, layerNormEpsilon: 0.25 }, { seed: 0 });
    expect([given.config.layerNormEpsilon, given.lnF.eps, given.h[0].ln2.eps]).toEqual([0.25, 0.25, 0.25]);
    given.dispose();
  });

  it('takes float32 by default, float64 when asked, refuses int32', () => {
    const a = new GPT(cfg, { seed: 0 });
    expect([a.dtype, a.wte.weight.dtype, a.lnF.bias.dtype]).toEqual(['float32', 'float32', 'float32']);
    const b = new GPT(cfg, { seed: 0, dtype: 'float64' });
    expect(b.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    expect(b.forward(ids([[1, 2]])).dtype).toBe('float64');
    expect(() => new GPT(cfg, { seed: 0, dtype: 'int32' })).toThrow('GPT: dtype must be float32 or float64, got int32');
    a.dispose();
    b.dispose();
  });

  it('places itself on the backend given by name or object, the default one otherwise', () => {
    const byDefault = new GPT(cfg, { seed: 0 });
    const byName = new GPT(cfg, { seed: 0, backend: 'cpu' });
    expect(byDefault.backend).toBe(getBackend('cpu'));
    expect(byName.backend).toBe(getBackend('cpu'));
    const other = new CpuBackend();
    const byObject = new GPT(cfg, { seed: 0, backend: other });
    expect(byObject.backend).toBe(other);
    expect(byObject.parameters().every((p) => p.backend === other)).toBe(true);
    // tokens on another backend object are refused, even one of the same name
    expect(() => byObject.forward(ids([[1]]))).toThrow("GPT.forward: tokens are on 'cpu' but the model is on 'cpu'");
    const onOther = tensor(Int32Array.from([1, 2]), { shape: [1, 2], backend: other });
    expect(byObject.forward(onOther).backend).toBe(other);
    expect(() => new GPT(cfg, { seed: 0, backend: 'no-such-backend' })).toThrow(/no-such-backend/);
    [byDefault, byName, byObject].forEach((m) => m.dispose());
  });
});

describe('GPT token checks', () => {
  it('refuses wrong ranks and dtypes, empty and overlong rows, and ids outside [0, vocabSize)', () => {
    const m = new GPT(cfg, { seed: 1 });
    expect(() => m.forward(tensor(Int32Array.from([1, 2]), { shape: [2] }))).toThrow(
      'GPT.forward: expected int32 tokens [B, T], got [2] int32',
    );
    expect(() => m.forward(tensor(Int32Array.from([1, 2]), { shape: [1, 1, 2] }))).toThrow(
      'expected int32 tokens [B, T], got [1,1,2] int32',
    );
    expect(() => m.forward(tensor(new Int32Array(0), { shape: [1, 0] }))).toThrow(
      'GPT.forward: sequence length 0 must be in [1, blockSize = 8] (tokens [1,0])',
    );
    expect(() => m.forward(ids([[0, 1, 2, 3, 4, 5, 6, 0, 1]]))).toThrow(
      'GPT.forward: sequence length 9 must be in [1, blockSize = 8] (tokens [1,9])',
    );
    expect(m.forward(ids([[0, 1, 2, 3, 4, 5, 6, 0]])).shape).toEqual([1, 8, 7]);
    expect(() =>
      m.forward(
        ids([
          [1, 2],
          [3, -1],
        ]),
      ),
    ).toThrow('GPT.forward: token id -1 at flat index 3 of [2,2] is outside [0, vocabSize = 7)');
    expect(() => m.forward(ids([[7, 0]]))).toThrow('token id 7 at flat index 0 of [1,2] is outside [0, vocabSize = 7)');
    expect(m.forward(ids([[0, 6]])).shape).toEqual([1, 2, 7]);
    m.dispose();
  });
});

describe('GPT causal mask', () => {
  it('grows by doubling, never past blockSize, and reads its corner for shorter rows', () => {
    const m = new GPT({ ...cfg, blockSize: 20 }, { seed: 2, dtype: 'float64' });
    const fresh = new GPT({ ...cfg, blockSize: 20 }, { seed: 2, dtype: 'float64' });
    const row = (T: number) => [Array.from({ length: T }, (_, i) => (i * 3) % 7)];
    const run = (g: GPT, T: number) => tidy(() => noGrad(() => Array.from(g.forward(ids(row(T))).dataSync())));
    const sizes: number[] = [];
    for (const T of [3, 3, 4, 5, 2, 7, 13, 20]) {
      run(m, T);
      sizes.push(maskOf(m)!.shape[0]);
    }
    // 3, then 3 again fits; 4 -> max(4, 2 * 3) = 6 -> 5 and 2 fit -> 7 gives 12 -> 13 gives 24, capped at blockSize 20
    expect(sizes).toEqual([3, 3, 6, 6, 6, 12, 20, 20]);
    // the mask is lower-triangular ones
    const mask = Array.from(maskOf(m)!.dataSync());
    expect(mask).toEqual(Array.from({ length: 400 }, (_, i) => (i % 20 <= Math.floor(i / 20) ? 1 : 0)));
    // shorter, equal and longer reads agree with a model that never grew its mask
    for (const T of [1, 5, 20]) expect(run(m, T)).toEqual(run(fresh, T));
    m.dispose();
    fresh.dispose();
  });

  it('dispose frees the cached mask with the parameters', () => {
    const before = memory().tensors;
    const m = new GPT(cfg, { seed: 3 });
    tidy(() => {
      m.forward(ids([[1, 2, 3, 4]]));
    });
    const mask = maskOf(m)!;
    expect(mask.isDisposed).toBe(false);
    m.dispose();
    expect(mask.isDisposed).toBe(true);
    expect(maskOf(m)).toBe(null);
    expect(memory().tensors).toBe(before);
  });
});
