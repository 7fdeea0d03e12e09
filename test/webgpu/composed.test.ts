// The composed (unfused) softmax / logSoftmax / layerNorm (with its affine part) / GELU on WebGPU. The webgpu
// backend has the fused kernels, so the op suite mostly runs those; backends without them, every non-last axis and
// grad-of-grad still run the composition of primitives. This registers a view of the same device with the fused
// kernels removed and runs the shared suite on those ops, forward and backward against the float64 CPU oracle.

import { describe, it } from 'vitest';
import { registerBackend, type WebGPUBackend } from '../../src/index.js';
import { defineOpSuite } from '../ops/suite.js';
import { webgpuOrSkip } from './gpu.js';

const FUSED = [
  'softmax',
  'softmaxBackward',
  'logSoftmax',
  'logSoftmaxBackward',
  'layerNorm',
  'layerNormBackward',
  'gelu',
  'geluBackward',
  'affine',
  'affineBackward',
];

const gpu = await webgpuOrSkip();
if (gpu) {
  const composed = Object.create(gpu) as WebGPUBackend;
  Object.defineProperty(composed, 'name', { value: 'webgpu-composed' });
  for (const kernel of FUSED) Object.defineProperty(composed, kernel, { value: undefined });
  registerBackend(composed);
  defineOpSuite('webgpu-composed', {
    ops: ['softmax', 'logSoftmax', 'layerNorm', 'gelu', 'crossEntropy'],
    forwardRuns: 12,
    gradRuns: 8,
  });
} else {
  describe.skip('composed ops on webgpu', () => it('needs a WebGPU adapter', () => undefined));
}
