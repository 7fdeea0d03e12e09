// Writes a run's report files: summary.json (machine-readable), report.md with charts/*.svg, and report.html.
// Called at the end of a run and, with what exists so far, when a run is interrupted.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarize, type RunResults, type Summary } from './summary.js';
import { observe } from './observations.js';
import { renderRunCharts } from './run-charts.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { atOneRate, renderSweepCharts } from './sweep.js';
import { sweepSectionHtml, sweepSectionMarkdown } from './sweep-section.js';

export const CHART_DIR = 'charts';

export async function writeReport(outDir: string, results: RunResults): Promise<Summary> {
  const summary = summarize(results);
  summary.observations = observe(summary);
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  // in a sweep, the per-step charts show one rate (21 lines would be unreadable); the sweep section compares rates
  const oneRate = atOneRate(summary);
  const charts = await renderRunCharts(oneRate.summary);
  const sweepCharts = await renderSweepCharts(summary);
  await mkdir(join(outDir, CHART_DIR), { recursive: true });
  for (const [spec, svg] of charts) await writeFile(join(outDir, CHART_DIR, spec.file), svg);
  const sweepFiles = sweepCharts.map(([title], i): [string, string] => [title, `${CHART_DIR}/sweep-${i + 1}.svg`]);
  for (const [i, [, svg]] of sweepCharts.entries()) await writeFile(join(outDir, sweepFiles[i][1]), svg);
  const rateNote =
    oneRate.lr === null
      ? []
      : [
          `The charts above show the runs at lr ${oneRate.lr}, the sweep's middle rate; ` +
            'the learning-rate sweep section below compares the rates.',
        ];
  await writeFile(
    join(outDir, 'report.md'),
    renderMarkdown(
      summary,
      charts.map(([spec]) => spec),
      CHART_DIR,
      [...rateNote.map((n) => `${n}\n`), ...sweepSectionMarkdown(summary, sweepFiles)],
    ),
  );
  await writeFile(
    join(outDir, 'report.html'),
    renderHtml(summary, charts, [...rateNote.map((n) => `<p>${n}</p>`), ...sweepSectionHtml(summary, sweepCharts)]),
  );
  return summary;
}
