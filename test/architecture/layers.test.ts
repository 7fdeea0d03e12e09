// The layering of docs/ARCHITECTURE.md, enforced: every relative import in src/ must point at the same layer or a
// lower one. Reads the source text (static imports, re-exports and dynamic imports), so it runs in milliseconds.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Layers from the bottom up; a path belongs to the first prefix it starts with. */
const LAYERS: readonly (readonly string[])[] = [
  ['backends/'],
  ['tensor.ts', 'autograd/', 'shape.ts', 'random.ts', 'memory.ts', 'creation.ts'],
  ['nn/', 'optim/', 'losses/'],
  ['io/', 'data/', 'train/', 'report/'],
  ['cli/', 'index.ts', 'node.ts'],
];

function layerOf(path: string): number {
  const layer = LAYERS.findIndex((prefixes) => prefixes.some((p) => path === p || path.startsWith(p)));
  if (layer < 0) throw new Error(`${path} belongs to no layer: add it to LAYERS in test/architecture/layers.test.ts`);
  return layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'|import\s*\(?\s*'(\.[^']+)'/g;

/** [importer, imported] pairs of src-relative paths, for every relative import of a src file. */
function importEdges(): [string, string][] {
  const edges: [string, string][] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), (m[1] ?? m[2]).replace(/\.js$/, '.ts'));
      edges.push([relative(SRC, file), relative(SRC, target)]);
    }
  }
  return edges;
}

describe('dependency direction', () => {
  it('finds the imports it checks', () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual(['losses/slime.ts', 'losses/pairs.ts']);
    expect(edges).toContainEqual(['train/sft.ts', 'nn/gpt.ts']);
  });

  it('no module imports a higher layer', () => {
    const upward = importEdges()
      .filter(([from, to]) => layerOf(to) > layerOf(from))
      .map(([from, to]) => `${from} (layer ${layerOf(from)}) imports ${to} (layer ${layerOf(to)})`);
    expect(upward).toEqual([]);
  });

  it('would catch an upward import', () => {
    expect(layerOf('backends/cpu/index.ts')).toBeLessThan(layerOf('tensor.ts'));
    expect(layerOf('losses/pairs.ts')).toBeLessThan(layerOf('train/sft.ts'));
    expect(layerOf('train/sft.ts')).toBeLessThan(layerOf('cli/args.ts'));
  });
});
