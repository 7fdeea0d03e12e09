// vitest.mutation.config.ts without per-file isolation, for stryker.fast.config.mjs: a mutant's test files share one
// module graph, which cuts the op suites' load time about threefold.
import { defineConfig } from 'vitest/config';
import mutation from './vitest.mutation.config.js';

export default defineConfig({ ...mutation, test: { ...mutation.test, isolate: false } });
