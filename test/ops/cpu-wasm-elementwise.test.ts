// The shared op suite on the CPU backend's wasm elementwise kernels at every size. The default backend sends
// unary and binary ops to wasm only from WASM_MIN_ELEMENTS elements, which the suite's small shapes never reach;
// this backend (wasmMinElements 0) takes the kernels for every float32 op they cover, so their odd lengths, length
// 1, broadcasts and the strided views they hand back to the TypeScript kernels all go through the suite.

import { CpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend } from '../../src/index.js';
import { defineOpSuite } from './suite.js';
import { WASM_ELEMENTWISE_OPS } from './wasm-covered.js';

const everySize = new CpuBackend({ wasmMinElements: 0 });
Object.defineProperty(everySize, 'name', { value: 'cpu-wasm-every-size' });
registerBackend(everySize);

defineOpSuite('cpu-wasm-every-size', { ops: WASM_ELEMENTWISE_OPS, finiteDifferences: false });
