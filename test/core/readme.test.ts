// The README's example must run exactly as written: its first ```ts block under "## Example" is executed with tsx
// (with 'slimegrad' pointed at this checkout's src) and its output compared with the README's "prints" block,
// where "..." stands for any text.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function exampleSection(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Example');
  expect(start, 'README.md has a "## Example" heading').toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + 1);
  const next = rest.slice(3).search(/\n## /);
  return next < 0 ? rest : rest.slice(0, next + 3);
}

function fenced(section: string, after: RegExp): string {
  const m = section.match(after);
  expect(m, `README example section contains ${after}`).not.toBeNull();
  return m![1];
}

describe('README example', () => {
  it('runs as written and prints what the README says', () => {
    const section = exampleSection();
    const code = fenced(section, /```ts\n([\s\S]*?)```/);
    const printed = fenced(section, /prints\s*\n+```\w*\n([\s\S]*?)```/);
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-readme-'));
    try {
      const file = join(dir, 'example.ts');
      writeFileSync(file, code.replace(/from 'slimegrad'/g, `from '${join(root, 'src/index.ts')}'`));
      const out = execFileSync(join(root, 'node_modules/.bin/tsx'), [file], { encoding: 'utf8', timeout: 60_000 });
      const lines = out.trimEnd().split('\n');
      const expected = printed.trimEnd().split('\n');
      expect(lines).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        const pattern = new RegExp(
          `^${e
            .split('...')
            .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        );
        expect(lines[i]).toMatch(pattern);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
