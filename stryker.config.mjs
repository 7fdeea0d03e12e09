// Mutation testing (`npm run mutation`; not in CI: too slow). Scope: the folders whose bugs change figures.
// A run on a subset: `npm run mutation -- --mutate src/report/summary.ts`, optionally with
// MUTATION_TESTS=test/report/summary.test.ts (comma-separated) to run only the tests that guard it.
// See test/MUTATION.md for the recorded scores and the surviving mutants judged equivalent.

const tests = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: !tests },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'src/autograd/**/*.ts', 'src/losses/**/*.ts', 'src/nn/**/*.ts', 'src/optim/**/*.ts',
    'src/train/**/*.ts', 'src/data/**/*.ts', 'src/io/**/*.ts', 'src/report/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  // reruns only mutants whose code or covering tests changed since the last run (a machine-local cache, ignored by git)
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 1,
  timeoutFactor: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
