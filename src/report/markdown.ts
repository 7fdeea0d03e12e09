// report.md: the same content as report.html, with the charts as SVG files next to it.

import { finalTable, lossTermsTable, LOSS_TERMS_HEADERS, TABLE_COLUMNS, type TableRow } from './table.js';
import type { ChartSpec } from './run-charts.js';
import type { Summary } from './summary.js';
import { describeRun, SAMPLES_SHOWN } from './describe.js';
import { GLOSSARY, reproduceCommand, settingsRows, shortRunWarnings } from './guide.js';
import { sampleGrid } from './samples.js';

const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n');
const code = (text: string): string => (text === '' ? '(empty)' : `\`${cell(text).replace(/`/g, "'")}\``);

function table(headers: readonly string[], rows: readonly TableRow[]): string {
  const lines = [`| method | ${headers.join(' | ')} |`, `|---|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${cell(r.label)} | ${r.cells.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** report.md; `extraSections` (Markdown) go after the charts, e.g. the learning-rate sweep. */
export function renderMarkdown(
  summary: Summary,
  charts: readonly ChartSpec[],
  chartDir: string,
  extraSections: readonly string[] = [],
): string {
  const out: string[] = [`# SLIME showcase report`, ''];
  const warnings = shortRunWarnings(summary);
  if (warnings.length > 0) out.push('> **Read with care:**', ...warnings.map((w) => `> - ${w}`), '');
  out.push(...describeRun(summary).map((p) => `${p}\n`));
  out.push('## What was observed', '', ...summary.observations.map((o) => `- ${o}`), '');
  out.push(
    '## Final held-out figures',
    '',
    'Mean ± sample standard deviation over seeds, measured on held-out pairs and prompts after the last step.',
    '',
  );
  out.push(
    table(
      TABLE_COLUMNS.map((c) => c.header),
      finalTable(summary),
    ),
    '',
  );
  if (charts.length > 0) {
    out.push('## During training', '');
    for (const c of charts) out.push(`![${c.title}](${chartDir}/${c.file})`, '');
  }
  out.push(...extraSections);
  if (summary.methods.length > 0) {
    const grid = sampleGrid(summary, SAMPLES_SHOWN);
    out.push('## Sample answers (greedy, held-out prompts, first seed)', '');
    out.push(`| prompt | ${grid.columns.map(cell).join(' | ')} |`, `|---|${grid.columns.map(() => '---').join('|')}|`);
    for (const r of grid.rows)
      out.push(
        `| ${code(r.prompt)} | ` +
          `${r.cells.map((c) => `${code(c.text)}${c.verdict ? ` ${c.verdict}` : ''}`).join(' | ')} |`,
      );
    out.push('');
    out.push(
      '## Loss terms (training batches, TRL metric names)',
      '',
      'Mean over the last evaluation interval of training, then mean ± std over seeds.',
      '',
    );
    out.push(table(LOSS_TERMS_HEADERS, lossTermsTable(summary)), '');
  }
  out.push('## Glossary', '', ...GLOSSARY.map(([t, d]) => `- **${t}**: ${d}`), '');
  out.push('## Reproduce this run', '', '```sh', reproduceCommand(summary.settings), '```', '');
  out.push(
    '## Settings',
    '',
    '| setting | value |',
    '|---|---|',
    ...settingsRows(summary.settings).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
    '',
  );
  return out.join('\n');
}
