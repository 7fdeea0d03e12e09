// Writes a run's report files: summary.json (machine-readable), report.md with charts/*.svg, and report.html.
// Called at the end of a run and, with what exists so far, when a run is interrupted.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarize, type RunResults, type Summary } from './summary.js';
import { observe } from './observations.js';
import { renderRunCharts } from './run-charts.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';

export const CHART_DIR = 'charts';

export async function writeReport(outDir: string, results: RunResults): Promise<Summary> {
  const summary = summarize(results);
  summary.observations = observe(summary);
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const charts = await renderRunCharts(summary);
  await mkdir(join(outDir, CHART_DIR), { recursive: true });
  for (const [spec, svg] of charts) await writeFile(join(outDir, CHART_DIR, spec.file), svg);
  await writeFile(join(outDir, 'report.md'), renderMarkdown(summary, charts.map(([spec]) => spec), CHART_DIR));
  await writeFile(join(outDir, 'report.html'), renderHtml(summary, charts));
  return summary;
}
