import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Tests and the examples they import use `slimegrad` from src/, as tsconfig.json's `paths` do for tsc and tsx;
  // without this the self-reference resolves to dist/, which exists only after a build.
  resolve: {
    alias: [
      { find: /^slimegrad\/node$/, replacement: source('./src/node.ts') },
      { find: /^slimegrad$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
