// report.html: one self-contained page (inline SVG charts, no scripts, no network) that opens in any browser.

import { finalTable, lossTermsTable, LOSS_TERMS_HEADERS, TABLE_COLUMNS, type TableRow } from './table.js';
import type { ChartSpec } from './run-charts.js';
import type { Summary } from './summary.js';
import { describeRun, SAMPLES_SHOWN } from './describe.js';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function table(headers: readonly string[], rows: readonly TableRow[]): string {
  const head = `<tr><th>method</th>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr><th>${escape(r.label)}</th>${r.cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}
th:first-child{text-align:left}code{background:#f4f4f4;padding:0 0.2em}.charts{display:flex;flex-wrap:wrap;gap:1em}
.ok{color:#176117}.bad{color:#a11}`;

export function renderHtml(summary: Summary, charts: readonly [ChartSpec, string][]): string {
  const parts: string[] = [
    '<!doctype html>', '<html lang="en"><head><meta charset="utf-8"><title>SLIME showcase report</title>', `<style>${STYLE}</style></head><body>`,
    '<h1>SLIME showcase report</h1>',
    ...describeRun(summary).map((p) => `<p>${escape(p)}</p>`),
    '<h2>What was observed</h2>', `<ul>${summary.observations.map((o) => `<li>${escape(o)}</li>`).join('\n')}</ul>`,
    '<h2>Final held-out figures</h2>', '<p>Mean ± sample standard deviation over seeds, measured on held-out pairs and prompts after the last step.</p>',
    table(TABLE_COLUMNS.map((c) => c.header), finalTable(summary)),
  ];
  if (charts.length > 0) parts.push('<h2>During training</h2>', `<div class="charts">${charts.map(([, svg]) => `<div>${svg}</div>`).join('\n')}</div>`);
  if (summary.methods.length > 0) {
    parts.push('<h2>Loss terms (training batches, TRL metric names)</h2>', '<p>Mean over the last evaluation interval of training, then mean ± std over seeds.</p>');
    parts.push(table(LOSS_TERMS_HEADERS, lossTermsTable(summary)));
    parts.push('<h2>Sample generations (greedy, held-out prompts, first seed)</h2>');
    for (const m of summary.methods) {
      const rows = m.samples.slice(0, SAMPLES_SHOWN).map((s) => {
        const verdict = `<span class="${s.afterFormatValid ? 'ok' : 'bad'}">${s.afterFormatValid ? 'valid' : 'broken'}</span> / <span class="${s.afterCorrect ? 'ok' : 'bad'}">${s.afterCorrect ? 'right' : 'wrong'}</span>`;
        return `<tr><td><code>${escape(s.prompt)}</code></td><td><code>${escape(s.before)}</code></td><td><code>${escape(s.after)}</code></td><td>${verdict}</td></tr>`;
      });
      parts.push(`<h3>${escape(m.label)}</h3>`, `<table><tr><th>prompt</th><th>SFT checkpoint</th><th>after</th><th>format / correct</th></tr>\n${rows.join('\n')}</table>`);
    }
  }
  parts.push('<h2>Settings</h2>', `<pre>${escape(JSON.stringify(summary.settings, null, 2))}</pre>`, '</body></html>', '');
  return parts.join('\n');
}
