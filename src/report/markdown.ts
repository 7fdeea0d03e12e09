// report.md: the same content as report.html, with the charts as SVG files next to it.

import { finalTable, lossTermsTable, LOSS_TERMS_HEADERS, TABLE_COLUMNS, type TableRow } from './table.js';
import type { ChartSpec } from './run-charts.js';
import type { Summary } from './summary.js';
import { describeRun, SAMPLES_SHOWN } from './describe.js';

const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n');
const code = (text: string): string => (text === '' ? '(empty)' : `\`${cell(text).replace(/`/g, "'")}\``);

function table(headers: readonly string[], rows: readonly TableRow[]): string {
  const lines = [`| method | ${headers.join(' | ')} |`, `|---|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${cell(r.label)} | ${r.cells.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export function renderMarkdown(summary: Summary, charts: readonly ChartSpec[], chartDir: string): string {
  const out: string[] = [`# SLIME showcase report`, '', ...describeRun(summary).map((p) => `${p}\n`)];
  out.push('## What was observed', '', ...summary.observations.map((o) => `- ${o}`), '');
  out.push('## Final held-out figures', '', 'Mean ± sample standard deviation over seeds, measured on held-out pairs and prompts after the last step.', '');
  out.push(table(TABLE_COLUMNS.map((c) => c.header), finalTable(summary)), '');
  if (charts.length > 0) {
    out.push('## During training', '');
    for (const c of charts) out.push(`![${c.title}](${chartDir}/${c.file})`, '');
  }
  if (summary.methods.length > 0) {
    out.push('## Loss terms (training batches, TRL metric names)', '', 'Mean over the last evaluation interval of training, then mean ± std over seeds.', '');
    out.push(table(LOSS_TERMS_HEADERS, lossTermsTable(summary)), '');
    out.push('## Sample generations (greedy, held-out prompts, first seed)', '');
    for (const m of summary.methods) {
      out.push(`### ${m.label}`, '', '| prompt | SFT checkpoint | after | format / correct |', '|---|---|---|---|');
      for (const s of m.samples.slice(0, SAMPLES_SHOWN)) {
        out.push(`| ${code(s.prompt)} | ${code(s.before)} | ${code(s.after)} | ${s.afterFormatValid ? 'valid' : 'broken'} / ${s.afterCorrect ? 'right' : 'wrong'} |`);
      }
      out.push('');
    }
  }
  out.push('## Settings', '', '```json', JSON.stringify(summary.settings, null, 2), '```', '');
  return out.join('\n');
}
