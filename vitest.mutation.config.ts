// The vitest setup StrykerJS runs (stryker.config.mjs): the project's, optionally narrowed to the test files in
// MUTATION_TESTS so a mutation run on one source file runs only the tests that guard it.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

// spread, not mergeConfig: mergeConfig concatenates `include` arrays, which would keep every test file
export default defineConfig({ ...base, test: { ...base.test, include: only ?? base.test?.include } });
