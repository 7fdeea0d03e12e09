// The shared op suite (test/ops/cases.ts) on WebGPU: every op's float32 forward against the naive reference and the
// float64 CPU oracle, and its float32 gradient against the float64 CPU gradient, over random shapes.
import { describe, it } from 'vitest';
import { defineOpSuite } from '../ops/suite.js';
import { webgpuOrSkip } from './gpu.js';

const gpu = await webgpuOrSkip();
if (gpu) defineOpSuite('webgpu', { forwardRuns: 12, gradRuns: 8 });
else describe.skip('ops on webgpu', () => it('needs a WebGPU adapter', () => undefined));
