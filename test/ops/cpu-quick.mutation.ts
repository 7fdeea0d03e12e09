// The shared op suite on the CPU with few runs per property, for mutation runs only (test/MUTATION.md): it is not
// a `.test.ts` file, so CI never runs it; cpu.test.ts runs the same cases with the full run counts. A mutant in the
// op layer is covered by nearly every case, so a survivor costs the whole suite; this keeps that cost down.
import { defineOpSuite } from './suite.js';

defineOpSuite('cpu', { forwardRuns: 4, gradRuns: 4, gradgradRuns: 2 });
