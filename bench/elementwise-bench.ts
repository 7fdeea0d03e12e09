// What the float32 elementwise ops, sums and the SGD update cost on the CPU backend's wasm kernels against its
// TypeScript kernels, and how much of the wasm time is copying operands into and out of the kernel memory:
//   npx tsx bench/elementwise-bench.ts [sizes, default 64,640,16384,200704]
// Per op and size: best-of-7 microseconds per call for the TypeScript backend, the wasm backend, the wasm call's
// copies alone (the same typed-array sets into the kernel memory and out into a pooled array) and the kernel alone.

import type { StridedView } from '../src/backends/backend.js';
import { CpuBackend } from '../src/backends/cpu/index.js';
import { alloc, release } from '../src/backends/cpu/pool.js';

// every size on the kernels (the default backend keeps unary and binary ops under WASM_MIN_ELEMENTS on TypeScript)
const wasm = new CpuBackend({ wasmMinElements: 0 });
const ts = new CpuBackend({ wasm: false });
const kernels = wasm.kernels;
if (!kernels) throw new Error('no WebAssembly SIMD here');
const sizes = (process.argv[2] ?? '64,640,16384,200704').split(',').map(Number);

const view = (shape: number[], strides: number[]): StridedView => ({ shape, strides, offset: 0 });

/** Best-of-7 microseconds per call of fn. */
function time(n: number, fn: () => void): number {
  const reps = Math.max(20, Math.round(4e6 / Math.max(n, 64)));
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    best = Math.min(best, ((performance.now() - t0) / reps) * 1000);
  }
  return best;
}

for (const n of sizes) {
  const cols = n >= 256 ? 256 : 10;
  const rows = Math.max(1, Math.floor(n / cols));
  const size = rows * cols;
  const random = (len: number) => Float32Array.from({ length: len }, () => Math.random() - 0.5);
  const data = { a: random(size), b: random(size), row: random(cols) };
  const on = (B: CpuBackend) => ({
    a: B.fromArray(data.a, 'float32'),
    b: B.fromArray(data.b, 'float32'),
    row: B.fromArray(data.row, 'float32'),
  });
  const [w, t] = [on(wasm), on(ts)];
  const full = view([rows, cols], [cols, 1]);
  const ops: [string, number, (B: CpuBackend, s: typeof w) => ReturnType<CpuBackend['zeros']>, () => void][] = [
    [
      'mul same-shape',
      2,
      (B, s) => B.binary('mul', s.a, full, s.b, full, 'float32'),
      () => kernels.exports.bin_mul(0, cols * 4, 0, size * 4 + 16, cols * 4, 0, size * 8 + 32, rows, cols),
    ],
    [
      'add [m,n]+[n]',
      1,
      (B, s) => B.binary('add', s.a, full, s.row, view([rows, cols], [0, 1]), 'float32'),
      () => kernels.exports.bin_add(0, cols * 4, 0, size * 4 + 16, 0, 0, size * 8 + 32, rows, cols),
    ],
    [
      'sum axis 0',
      1,
      (B, s) => B.reduce('sum', s.a, [rows, cols], [0]),
      () => kernels.exports.sumBlocks(0, size * 4 + 16, 1, rows, cols),
    ],
    [
      'sum last axis',
      1,
      (B, s) => B.reduce('sum', s.a, [rows, cols], [1]),
      () => kernels.exports.sumRows(0, size * 4 + 16, rows, cols),
    ],
    [
      'sgd update',
      2,
      (B, s) => B.sgdUpdate(s.a, s.b, undefined, { lr: 0.1, momentum: 0, weightDecay: 0 }).param,
      () => kernels.exports.sgd(0, size * 4 + 16, 0, Math.ceil(size / 4) * 4, 0.1, 0, 0, 1, 0),
    ],
  ];
  for (const [name, inputs, run, kernel] of ops) {
    const tsUs = time(size, () => ts.dispose(run(ts, t)));
    const wasmUs = time(size, () => wasm.dispose(run(wasm, w)));
    const mem = kernels.f32((size * 3 + 48) * 4);
    const copyUs = time(size, () => {
      mem.set(data.a, 0);
      if (inputs === 2) mem.set(data.b, size + 4);
      const out = alloc('float32', size) as Float32Array;
      out.set(mem.subarray(0, size));
      release('float32', out);
    });
    const kernelUs = time(size, kernel);
    console.log(
      `${String(size).padStart(7)} ${name.padEnd(15)} ts ${tsUs.toFixed(2).padStart(8)} us   wasm ${wasmUs
        .toFixed(2)
        .padStart(7)} us (copies ${copyUs.toFixed(2).padStart(6)}, kernel ${kernelUs.toFixed(2).padStart(6)})` +
        `   wasm/ts ${(wasmUs / tsUs).toFixed(2)}`,
    );
  }
}
