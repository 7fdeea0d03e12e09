// A faster variant of stryker.config.mjs for long runs on a small machine (used for the src/autograd/ops and some
// src/report rows of test/MUTATION.md): vitest keeps one module graph across a mutant's test files
// (vitest.fast.config.ts), and the TypeScript checker checks src/ only (tsconfig.src.json). The cost: a mutant that
// breaks only a test file's types is run instead of being counted as a compile error.
// `npx stryker run stryker.fast.config.mjs --mutate src/report/html.ts`, with MUTATION_TESTS as usual.
import base from './stryker.config.mjs';

export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'vitest.fast.config.ts' },
  tsconfigFile: 'tsconfig.src.json',
};
