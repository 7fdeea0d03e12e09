// Memory accounting: tidy/keep/dispose, exact live tensor and byte counts, and buffers shared by views.

import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { keep, memory, noGrad, randn, tensor, tidy, zeros } from '../../src/index.js';

const snapshot = () => {
  const m = memory();
  return { tensors: m.tensors, bytes: m.bytes, buffers: m.backends.cpu.buffers };
};

describe('memory()', () => {
  it('counts tensors, buffers and bytes exactly per dtype', () => {
    const before = snapshot();
    const a = zeros([3]); // 3 x 4 bytes
    const b = zeros([2, 2], { dtype: 'float64' }); // 4 x 8
    const c = zeros([5], { dtype: 'int32' }); // 5 x 4
    expect(snapshot()).toEqual({
      tensors: before.tensors + 3,
      buffers: before.buffers + 3,
      bytes: before.bytes + 12 + 32 + 20,
    });
    b.dispose();
    expect(snapshot()).toEqual({
      tensors: before.tensors + 2,
      buffers: before.buffers + 2,
      bytes: before.bytes + 12 + 20,
    });
    a.dispose();
    c.dispose();
    c.dispose(); // a second dispose is a no-op
    expect(snapshot()).toEqual(before);
  });
});

describe('tidy and keep', () => {
  it('disposes intermediates and keeps what is returned, anywhere in arrays and objects', () => {
    const before = snapshot();
    let inner: Tensor[] = [];
    const out = tidy(() => {
      const x = tensor([1, 2, 3]);
      const y = x.exp();
      const z = y.mul(2);
      inner = [x, y];
      return { z, list: [x.add(1)] };
    });
    expect(inner.every((t) => t.isDisposed)).toBe(true);
    expect(out.z.isDisposed).toBe(false);
    expect(Array.from(out.list[0].dataSync())).toEqual([2, 3, 4]);
    expect(snapshot().tensors).toBe(before.tensors + 2);
    out.z.dispose();
    out.list[0].dispose();
    expect(snapshot()).toEqual(before);
  });

  it('keep exempts a tensor from every enclosing tidy; nested tidy hands results to its parent', () => {
    const before = snapshot();
    let kept: Tensor | null = null;
    let fromInner: Tensor | null = null;
    tidy(() => {
      fromInner = tidy(() => tensor([1]).add(1));
      kept = keep(tidy(() => tensor([5]).mul(2)));
      expect(fromInner.isDisposed).toBe(false);
    });
    expect(fromInner!.isDisposed).toBe(true); // returned by the inner tidy but not by the outer one
    expect(kept!.itemSync()).toBe(10);
    kept!.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('frees what a throwing fn made (but not what it kept), and rethrows', () => {
    const before = snapshot();
    let kept: Tensor | null = null;
    expect(() =>
      tidy(() => {
        zeros([2]).add(1);
        kept = keep(zeros([3]));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(kept!.isDisposed).toBe(false);
    kept!.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('refuses an async function', () => {
    expect(() => tidy(async () => zeros([1]))).toThrow(/^tidy: fn returned a Promise/);
  });
});

describe('a training loop inside tidy', () => {
  it('leaves tensor, buffer and byte counts unchanged over 100 steps', () => {
    const x = keep(randn([8, 3], { seed: 1, dtype: 'float64' }));
    const trueW = tensor([[1], [-2], [0.5]], { dtype: 'float64' });
    const y = keep(x.matmul(trueW));
    const w = keep(zeros([3, 1], { dtype: 'float64', requiresGrad: true }));
    const step = (): number =>
      tidy(() => {
        const loss = x.matmul(w).sub(y).pow(2).mean();
        loss.backward();
        noGrad(() => w.assign(w.sub(w.grad!.mul(0.3))));
        w.zeroGrad();
        return loss.itemSync();
      });
    const before = snapshot();
    const first = step();
    let last = first;
    let atStep10 = before;
    for (let i = 2; i <= 100; i++) {
      last = step();
      if (i === 10) atStep10 = snapshot();
    }
    expect(atStep10).toEqual(before);
    expect(snapshot()).toEqual(before);
    expect(last).toBeLessThan(first * 1e-3); // and it did train
  });
});

describe('views share buffers', () => {
  it('reshape and detach add a tensor but no buffer; the buffer is freed when the last view goes', () => {
    const before = snapshot();
    const x = tensor([1, 2, 3, 4]);
    const r = x.reshape([2, 2]);
    const d = x.detach();
    expect(snapshot()).toEqual({ tensors: before.tensors + 3, buffers: before.buffers + 1, bytes: before.bytes + 16 });
    x.dispose();
    expect(r.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    r.dispose();
    expect(Array.from(d.dataSync())).toEqual([1, 2, 3, 4]);
    expect(snapshot().buffers).toBe(before.buffers + 1);
    d.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('assign rebinds the buffer and releases the old one', () => {
    const before = snapshot();
    const p = tensor([1, 2]);
    const v = tensor([3, 4]);
    p.assign(v);
    v.dispose();
    expect(Array.from(p.dataSync())).toEqual([3, 4]);
    expect(snapshot()).toEqual({ tensors: before.tensors + 1, buffers: before.buffers + 1, bytes: before.bytes + 8 });
    p.dispose();
    expect(snapshot()).toEqual(before);
  });
});
