// report.html as a learner meets it: a short run is flagged, answers sit in one table with methods as columns, the
// terms are defined, the settings read as a table, the command line reproduces the settings, and the charts share
// one size and the colour-blind-safe palette. The page is also rendered in headless chromium and screenshotted.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { runShowcase } from '../../src/cli/showcase.js';
import { parseShowcaseArgs } from '../../src/cli/args.js';
import { PALETTE } from '../../src/report/chart-specs.js';
import { reproduceCommand, settingsRows, shortRunWarnings } from '../../src/report/guide.js';
import type { Summary } from '../../src/report/summary.js';
import { quietIo as quiet, tinyRunArgs } from '../showcase/tiny-run.js';

const TINY = tinyRunArgs();

describe('report.html', () => {
  let out: string;
  let html: string;
  let summary: Summary;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'report-page-'));
    expect(await runShowcase([...TINY, '--methods', 'dpo,slime', '--out', out], quiet)).toBe(0);
    html = readFileSync(join(out, 'report.html'), 'utf8');
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  }, 120_000);

  it('warns, visibly and first, that a 4-step SFT and 2-step run on one seed means little', () => {
    const warning = html.match(/<div class="warn"[^>]*>([\s\S]*?)<\/div>/)?.[1] ?? '';
    expect(html.indexOf('class="warn"')).toBeLessThan(html.indexOf('<h2>'));
    expect(warning).toMatch(/has not learned the task/);
    expect(warning).toMatch(/Only 2 preference steps/);
    expect(warning).toMatch(/single seed/);
  });

  it('gives a sound run no warning', () => {
    const sound: Summary = structuredClone(summary);
    sound.settings = { ...sound.settings, steps: 96, seeds: [0, 1, 2] };
    sound.checkpoint.final.eval_answer_accuracy = { mean: 0.9, std: 0.02, n: 3 };
    expect(shortRunWarnings(sound)).toEqual([]);
  });

  it('shows the answers in one table: a row per prompt, the checkpoint and each method as columns', () => {
    expect(html.match(/<table class="samples"/g)).toHaveLength(1);
    const table = html.split('<table class="samples">')[1].split('</table>')[0];
    expect(table).toMatch(/<tr><th>prompt<\/th><th>SFT checkpoint<\/th><th>DPO<\/th><th>SLIME<\/th><\/tr>/);
    const prompts = [...table.matchAll(/<tr><th><code>([^<]*)<\/code>/g)].map((m) => m[1]);
    expect(prompts).toEqual(summary.methods[0].samples.slice(0, prompts.length).map((s) => s.prompt));
    expect(new Set(prompts).size).toBe(prompts.length);
  });

  it('defines lbar and nats, and shows settings as a table rather than raw JSON', () => {
    expect(html).toMatch(/<dt>lbar<\/dt>/);
    expect(html).toMatch(/<dt>nat<\/dt>/);
    expect(html).not.toMatch(/<pre>\{/);
    expect(html).toContain('<tr><th>preference steps per method</th><td>2</td></tr>');
    expect(settingsRows(summary.settings)).toContainEqual([
      'model size',
      '1 layers, 16 wide, 2 heads, block 32 tokens',
    ]);
  });

  it('prints a command line that parses back to the same settings', () => {
    const command = reproduceCommand(summary.settings);
    expect(html).toContain(command.replace(/</g, '&lt;'));
    const argv = command.replace(/^npm start -- /, '').split(' ');
    // progress bars are how the run was watched, not what it computed
    expect({ ...parseShowcaseArgs(argv), progress: false }).toEqual(summary.settings);
  });

  it('draws every chart with its plot area at the same place, in the colour-blind-safe palette, without yellow', () => {
    const svgs = [
      ...html.matchAll(/<svg[^>]* width="(\d+)"[^>]*><rect[^>]*\/><g[^>]*transform="translate\(([\d.,]+)\)"/g),
    ];
    expect(svgs.length).toBe(6);
    // one width and one offset of the plot area, to within text-metric rounding: charts side by side or stacked line up
    const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
    expect(spread(svgs.map((m) => Number(m[1])))).toBeLessThanOrEqual(2);
    expect(spread(svgs.map((m) => Number(m[2].split(',')[0])))).toBeLessThanOrEqual(2);
    expect(spread(svgs.map((m) => Number(m[2].split(',')[1])))).toBeLessThanOrEqual(6);
    for (const color of PALETTE.slice(0, 2)) expect(html.toLowerCase()).toContain(`stroke="${color.toLowerCase()}"`);
    expect(html.toLowerCase()).not.toContain('#f0e442');
  });

  it.skipIf(!existsSync('/usr/bin/chromium') && !process.env.CI)(
    'renders in headless chromium (screenshot in test-output/report/)',
    async () => {
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless=new', '--no-sandbox'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        await page.goto(`file://${join(out, 'report.html')}`);
        expect(await page.locator('.warn').isVisible()).toBe(true);
        const dir = join(process.cwd(), 'test-output', 'report');
        mkdirSync(dir, { recursive: true });
        await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
  );
});
