// The composed (unfused) softmax / logSoftmax / layerNorm / GELU: on the CPU the fused kernels take over, yet backends
// without them, and every non-last axis, still run the composition. This registers a CPU backend with the fused
// kernels removed and runs the shared suite on those ops; its float64 oracle is the fused CPU, so the two paths are
// also checked against each other, forward and backward.

import { CpuBackend } from '../../src/backends/cpu/index.js';
import { registerBackend } from '../../src/index.js';
import { defineOpSuite } from './suite.js';

const FUSED = [
  'softmax',
  'softmaxBackward',
  'logSoftmax',
  'logSoftmaxBackward',
  'layerNorm',
  'layerNormBackward',
  'gelu',
  'geluBackward',
];
const composed = new CpuBackend();
Object.defineProperty(composed, 'name', { value: 'cpu-composed' });
for (const kernel of FUSED) Object.defineProperty(composed, kernel, { value: undefined });
registerBackend(composed);

defineOpSuite('cpu-composed', { ops: ['softmax', 'logSoftmax', 'layerNorm', 'gelu', 'crossEntropy'] });
