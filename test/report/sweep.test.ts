// --sweep-lr: every method at every rate from the same checkpoints, seeds and data order, and a report section of
// final figures against the rate.

import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runShowcase } from '../../src/cli/showcase.js';
import { parseShowcaseArgs, UsageError } from '../../src/cli/args.js';
import { reproduceCommand } from '../../src/report/guide.js';
import { sweepByMethod } from '../../src/report/sweep.js';
import type { Summary } from '../../src/report/summary.js';
import { quietIo as quiet, tinyRunArgs } from '../showcase/tiny-run.js';

const TINY = tinyRunArgs();

describe('--sweep-lr', () => {
  it('parses a list of rates, sorted, and refuses bad lists and a clash with --lr', () => {
    expect(parseShowcaseArgs(['--sweep-lr', '3e-3, 3e-4,1e-3'])?.sweepLr).toEqual([3e-4, 1e-3, 3e-3]);
    expect(parseShowcaseArgs([])?.sweepLr).toEqual([]);
    expect(() => parseShowcaseArgs(['--sweep-lr', '1e-3,x'])).toThrow(/--sweep-lr expects a positive number, got 'x'/);
    expect(() => parseShowcaseArgs(['--sweep-lr', '1e-3,1e-3'])).toThrow(/twice/);
    expect(() => parseShowcaseArgs(['--sweep-lr', ','])).toThrow(UsageError);
    expect(() => parseShowcaseArgs(['--sweep-lr', '1e-3', '--lr', '1e-3'])).toThrow(/exclude each other/);
  });

  describe('a tiny sweep', () => {
    let out: string;
    let summary: Summary;
    let html: string;
    beforeAll(async () => {
      out = await mkdtemp(join(tmpdir(), 'sweep-'));
      expect(
        await runShowcase([...TINY, '--methods', 'dpo,slime', '--sweep-lr', '1e-4,3e-3', '--out', out], quiet),
      ).toBe(0);
      summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      html = readFileSync(join(out, 'report.html'), 'utf8');
    }, 120_000);

    it('runs every method at every rate', () => {
      expect(summary.methods.map((m) => [m.method, m.lr])).toEqual([
        ['dpo', 1e-4],
        ['dpo', 3e-3],
        ['slime', 1e-4],
        ['slime', 3e-3],
      ]);
      const groups = sweepByMethod(summary);
      expect(groups.map((g) => [g.label, g.points.map((p) => p.lr)])).toEqual([
        ['DPO', [1e-4, 3e-3]],
        ['SLIME', [1e-4, 3e-3]],
      ]);
      // a higher rate moves the model further from the checkpoint
      const dpo = groups[0].points.map((p) => p.run.final['eval_lbar/chosen'].mean);
      expect(dpo[0]).not.toBe(dpo[1]);
    });

    it('gives, at a rate, exactly what a plain run at that --lr gives (same checkpoint, seed and data order)', async () => {
      const plainOut = await mkdtemp(join(tmpdir(), 'sweep-plain-'));
      expect(await runShowcase([...TINY, '--methods', 'slime', '--lr', '3e-3', '--out', plainOut], quiet)).toBe(0);
      const plain: Summary = JSON.parse(readFileSync(join(plainOut, 'summary.json'), 'utf8'));
      const swept = summary.methods.find((m) => m.method === 'slime' && m.lr === 3e-3)!;
      expect(swept.final).toEqual(plain.methods[0].final);
    }, 120_000);

    it('reports chosen lbar, format-valid rate and accuracy against the rate, with a finding per method', () => {
      const section = html.split('<h2>Learning-rate sweep</h2>')[1]?.split('<h2>')[0] ?? '';
      expect(section).not.toBe('');
      expect(section.match(/<svg/g)).toHaveLength(3);
      for (const t of ['chosen likelihood', 'format-valid rate', 'answer accuracy'])
        expect(section).toContain(`Final ${t} against the learning rate`);
      expect(section.match(/<li>(DPO|SLIME): /g)).toHaveLength(2);
      expect(section.match(/<tr><th>(DPO|SLIME)<\/th><td>(0\.0001|0\.003)<\/td>/g)).toHaveLength(4);
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Learning-rate sweep');
      expect(reproduceCommand(summary.settings)).toContain('--sweep-lr 0.0001,0.003');
    });
  });
});
