// The CPU backend's TypeScript kernels where the default CPU backend runs WebAssembly SIMD instead (float32
// matmul, GELU, softmax, logSoftmax, layerNorm, elementwise maps, sums): the reference path, and the one every
// engine without WebAssembly SIMD takes. This registers a CPU backend with the wasm kernels off and runs the
// shared suite on the ops they replace; `cpu.test.ts` runs the whole suite on the default (wasm) path.

import { CpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend } from '../../src/index.js';
import { defineOpSuite } from './suite.js';
import { WASM_ELEMENTWISE_OPS, WASM_FUSED_OPS } from './wasm-covered.js';

const typescriptOnly = new CpuBackend({ wasm: false });
Object.defineProperty(typescriptOnly, 'name', { value: 'cpu-typescript' });
registerBackend(typescriptOnly);

defineOpSuite('cpu-typescript', { ops: [...WASM_FUSED_OPS, ...WASM_ELEMENTWISE_OPS] });
