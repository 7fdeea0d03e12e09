// The float32 WebAssembly GELU and its backward (with their own exp) against the float64 TypeScript kernels, over
// the range where the tanh saturates, crosses zero and where e^{2z} would overflow float32.

import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/backends/cpu/index.js';

const wasm = new CpuBackend();
const oracle = new CpuBackend({ wasm: false });

describe('wasm GELU', () => {
  it('matches the float64 kernels within float32 rounding on [-60, 60], length not a multiple of 4', () => {
    expect(wasm.kernels).not.toBeNull();
    const n = 6003;
    const xs = Float64Array.from({ length: n }, (_, i) => -60 + (120 * i) / n + 1e-3);
    const gs = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const x64 = oracle.fromArray(xs, 'float64'),
      g64 = oracle.fromArray(gs, 'float64');
    const x32 = wasm.fromArray(Float32Array.from(xs), 'float32'),
      g32 = wasm.fromArray(Float32Array.from(gs), 'float32');
    const pairs = [
      [wasm.readSync(wasm.gelu(x32)), oracle.readSync(oracle.gelu(x64))],
      [wasm.readSync(wasm.geluBackward(x32, g32)), oracle.readSync(oracle.geluBackward(x64, g64))],
    ];
    for (const [got, want] of pairs) {
      expect(got).toBeInstanceOf(Float32Array);
      expect(got.length).toBe(n);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
      expect(worst).toBeLessThan(5e-6);
    }
  });
});
