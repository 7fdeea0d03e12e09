// examples/loss-anatomy.ts runs end to end: every chart is an SVG and every number in its tables is finite.

import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLossAnatomy } from '../../examples/loss-anatomy.js';
import { losses } from '../../src/index.js';

describe('loss anatomy example', () => {
  it('writes a chart per loss, the SLIME part charts and a table of finite numbers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loss-anatomy-'));
    try {
      const files = await writeLossAnatomy(dir, 21);
      for (const f of files) {
        const text = await readFile(join(dir, f), 'utf8');
        if (f.endsWith('.svg')) expect(text.startsWith('<svg'), f).toBe(true);
      }
      expect(files).toEqual(
        expect.arrayContaining([
          'slime.svg',
          'slime-gate.svg',
          'slime-floor.svg',
          'overview-reference.svg',
          'overview-reference-free.svg',
        ]),
      );
      const doc = await readFile(join(dir, 'anatomy.md'), 'utf8');
      // every registered loss (presets aside) has a section
      for (const name of losses.lossNames().filter((n) => !n.includes('-')))
        expect(doc).toMatch(new RegExp(`^### (\\w+: )?${name}\\b`, 'm'));
      const rows = doc.split('\n').filter((l) => /^\| -?\d/.test(l));
      expect(rows.length).toBeGreaterThan(50);
      for (const row of rows) {
        const cells = row
          .split('|')
          .slice(1, -1)
          .map((c) => Number(c.trim()));
        expect(cells).toHaveLength(7);
        cells.forEach((v) => expect(Number.isFinite(v), row).toBe(true));
      }
      // spot check against the closed form: DPO at h = 0 is ln 2 with dL/dh = -beta/2
      expect(doc).toMatch(/\| 0 \| -20\.2500 \| -20\.2500 \| 0\.6931 \| -0\.0500 \| -0\.0500 \| 0\.0500 \|/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
