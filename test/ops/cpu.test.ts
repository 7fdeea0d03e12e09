// The shared op suite (test/ops/cases.ts) on the CPU backend, where gradcheck and gradgradcheck also run.
import { defineOpSuite } from './suite.js';

defineOpSuite('cpu');
