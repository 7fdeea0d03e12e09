// The learning-rate sweep's report section, in HTML (charts inline) and Markdown (charts as files).

import type { Summary } from './summary.js';
import { formatStat } from './table.js';
import { SWEEP_METRICS, sweepByMethod, sweepFindings } from './sweep.js';

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const INTRO =
  'Every method was trained at every rate, from the same SFT checkpoints, with the same seeds and data order. ' +
  "A run counts as sound when its final chosen lbar is at most 0.1 nats per token below the checkpoint's " +
  "and its format-valid rate is at least 90% of the checkpoint's.";

function rows(summary: Summary): string[][] {
  return sweepByMethod(summary).flatMap((g) =>
    g.points.map(({ lr, run }) => [
      g.label,
      String(lr),
      ...SWEEP_METRICS.map((m) => formatStat(run.final[m.metric], 'fixed', 3)),
    ]),
  );
}

const HEADERS = ['method', 'learning rate', 'chosen lbar', 'format-valid', 'answer acc.'];

/** The section for report.html; empty when the run was not a sweep. */
export function sweepSectionHtml(summary: Summary, charts: readonly [string, string][]): string[] {
  if (charts.length === 0) return [];
  const table = `<table>\n<tr>${HEADERS.map((h) => `<th>${h}</th>`).join('')}</tr>\n${rows(summary)
    .map(
      (r) =>
        `<tr><th>${escape(r[0])}</th>${r
          .slice(1)
          .map((c) => `<td>${escape(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n')}\n</table>`;
  return [
    '<h2>Learning-rate sweep</h2>',
    `<p>${escape(INTRO)}</p>`,
    `<ul>${sweepFindings(summary)
      .map((f) => `<li>${escape(f)}</li>`)
      .join('\n')}</ul>`,
    `<div class="charts">${charts.map(([, svg]) => `<div>${svg}</div>`).join('\n')}</div>`,
    '<p>Final held-out figures per rate, mean ± std over seeds:</p>',
    table,
  ];
}

/** The section for report.md, linking the chart files; empty when the run was not a sweep. */
export function sweepSectionMarkdown(summary: Summary, chartFiles: readonly [string, string][]): string[] {
  if (chartFiles.length === 0) return [];
  const cell = (t: string): string => t.replace(/\|/g, '\\|');
  return [
    '## Learning-rate sweep',
    '',
    INTRO,
    '',
    ...sweepFindings(summary).map((f) => `- ${f}`),
    '',
    ...chartFiles.flatMap(([title, file]) => [`![${title}](${file})`, '']),
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...rows(summary).map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
  ];
}
