// The Tensor's public surface: autograd state is read-only from outside (requireGrad is the one checked way in),
// the internal constructors are not statics of the class, and any module works without src/index.ts (lazy CPU).
// This file deliberately imports src/creation.ts, not src/index.ts, so nothing has registered a backend beforehand.

import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation.js';
import { Tensor } from '../../src/tensor.js';
import { defaultBackend, getRegisteredBackends } from '../../src/backends/backend.js';

describe('Tensor public surface', () => {
  it('registers the CPU backend on first use, without importing src/index.ts', () => {
    expect(defaultBackend().name).toBe('cpu');
    expect(getRegisteredBackends().map((b) => b.name)).toContain('cpu');
    expect(Array.from(tensor([1, 2]).add(1).dataSync())).toEqual([2, 3]);
  });

  it('refuses direct writes to requiresGrad, grad and node (module code is strict mode)', () => {
    const t = tensor([1, 2, 3]);
    const writable = t as unknown as Record<string, unknown>;
    expect(() => {
      writable.requiresGrad = true;
    }).toThrow(TypeError);
    expect(() => {
      writable.grad = tensor([0, 0, 0]);
    }).toThrow(TypeError);
    expect(() => {
      writable.node = null;
    }).toThrow(TypeError);
    expect(t.requiresGrad).toBe(false);
  });

  it('marks leaves only through requireGrad, which checks dtype and leafness', () => {
    expect(() => tensor([1, 2], { dtype: 'int32' }).requireGrad()).toThrow(/requireGrad: int32/);
    const leaf = tensor([1, 2]).requireGrad();
    expect(leaf.requiresGrad).toBe(true);
    const result = leaf.mul(2);
    expect(result.node?.op).toBe('mul');
    expect(() => result.requireGrad(false)).toThrow(/only leaf tensors/);
    result.sum().backward();
    expect(Array.from(leaf.grad!.dataSync())).toEqual([2, 2]);
    leaf.zeroGrad();
    expect(leaf.grad).toBeNull();
  });

  it('keeps the internal constructors off the class', () => {
    expect('fromStorage' in Tensor).toBe(false);
    expect('view' in Tensor).toBe(false);
  });
});
