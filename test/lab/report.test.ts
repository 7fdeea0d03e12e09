// The lab's report tab with a summary.json written by `npm start` (the showcase CLI, at a tiny size): dropped on
// the page, it renders with the live charts, its short-run warning and one samples table; a file that is not a
// summary is refused with a message naming it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { runShowcase } from '../../src/cli/showcase.js';
import { RUN_CHARTS } from '../../src/report/chart-specs.js';
import { available, openLab, screenshot, type LabSession } from './browser.js';
import { tinyRunArgs } from '../showcase/tiny-run.js';

const TINY = tinyRunArgs({ seeds: 2 });

interface ReportState {
  file: string | null;
  methods: string[];
  error: string | null;
}

async function drop(page: Page, name: string, body: string): Promise<ReportState> {
  await page.evaluate(
    ([n, b]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([b], n, { type: 'application/json' }));
      document
        .getElementById('report-drop')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [name, body],
  );
  await page.waitForFunction(
    (n) =>
      (window as unknown as { slimegradLab: { report: { state: ReportState } } }).slimegradLab.report.state.file === n,
    name,
  );
  return page.evaluate(
    () => (window as unknown as { slimegradLab: { report: { state: ReportState } } }).slimegradLab.report.state,
  );
}

describe.skipIf(!available)('the lab: open a report', () => {
  let lab: LabSession;
  let summaryText: string;
  beforeAll(async () => {
    const out = await mkdtemp(join(tmpdir(), 'lab-report-'));
    const quiet = { out: () => {}, err: () => {}, progressStream: null };
    expect(await runShowcase([...TINY, '--methods', 'dpo,orpo,slime', '--out', out], quiet)).toBe(0);
    summaryText = readFileSync(join(out, 'summary.json'), 'utf8');
    lab = await openLab();
    await lab.page.click('#tab-report');
  }, 120_000);
  afterAll(async () => lab?.close());

  it('refuses a file that is not a summary, naming it', async () => {
    const state = await drop(lab.page, 'notes.json', '{"hello": 1}');
    expect(state.error).toBe('notes.json: not a slimegrad summary.json (no "methods" array)');
    expect(await lab.page.textContent('#report-message')).toBe(state.error);
  });

  it('renders a summary.json from npm start: every method in every chart, the warning, one samples table', async () => {
    const state = await drop(lab.page, 'summary.json', summaryText);
    expect(state).toEqual({ file: 'summary.json', methods: ['DPO', 'ORPO', 'SLIME'], error: null });
    const counts = await lab.page.evaluate(() => {
      const charts = (window as unknown as { slimegradLab: { charts: Map<string, { pointCounts(): number[] }> } })
        .slimegradLab.charts;
      return Object.fromEntries([...charts].map(([k, c]) => [k, c.pointCounts()]));
    });
    // step 0 (the checkpoint) and steps 1, 2, for each of the three methods
    for (const spec of RUN_CHARTS) expect(counts[`Report: ${spec.title}`], spec.title).toEqual([3, 3, 3]);
    expect(await lab.page.textContent('#report-warnings')).toMatch(/Only 2 preference steps/);
    const header = await lab.page.locator('#report-samples tr').first().locator('th').allTextContents();
    expect(header).toEqual(['prompt', 'SFT checkpoint', 'DPO', 'ORPO', 'SLIME']);
    await screenshot(lab.page, 'report-npm-start');
    expect(lab.errors).toEqual([]);
  });
});
