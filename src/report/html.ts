// report.html: one self-contained page (inline SVG charts, no scripts, no network) that opens in any browser.

import { finalTable, lossTermsTable, LOSS_TERMS_HEADERS, TABLE_COLUMNS, type TableRow } from './table.js';
import type { ChartSpec } from './run-charts.js';
import type { Summary } from './summary.js';
import { describeRun, SAMPLES_SHOWN } from './describe.js';
import { GLOSSARY, reproduceCommand, settingsRows, shortRunWarnings } from './guide.js';
import { sampleGrid } from './samples.js';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function table(headers: readonly string[], rows: readonly TableRow[]): string {
  const head = `<tr><th>method</th>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr><th>${escape(r.label)}</th>${r.cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

const STYLE =
  `body{font:16px/1.5 system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1.5em;color:#1a1a1a}
h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:1em 0;font-size:.95em}` +
  `th,td{border:1px solid #ccc;padding:.35em .7em;text-align:right}
td{white-space:nowrap}th:first-child{text-align:left}code{background:#f4f4f4;padding:0 .25em}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(640px,1fr));gap:1.5em 1em}
.charts svg{max-width:100%;height:auto}
.samples td{text-align:left}.ok{color:#176117}.bad{color:#a11}
.warn{background:#fff4e0;border-left:5px solid #E69F00;padding:.6em 1em;margin:1em 0}.warn p{margin:.3em 0}
pre.cmd{background:#f4f4f4;padding:.7em 1em;white-space:pre-wrap;overflow-wrap:break-word}
dl.glossary dt{font-weight:600;margin-top:.4em}dl.glossary dd{margin-left:1.5em}
.settings th{text-align:left;font-weight:normal;color:#444}.settings td{text-align:left}`;

function samplesHtml(summary: Summary): string {
  const grid = sampleGrid(summary, SAMPLES_SHOWN);
  const head = `<tr><th>prompt</th>${grid.columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`;
  const rows = grid.rows.map(
    (r) =>
      `<tr><th><code>${escape(r.prompt)}</code></th>${r.cells
        .map((c) => {
          const verdict =
            c.verdict === null ? '' : ` <small class="${c.verdict === 'right' ? 'ok' : 'bad'}">${c.verdict}</small>`;
          return `<td><code>${escape(c.text)}</code>${verdict}</td>`;
        })
        .join('')}</tr>`,
  );
  return `<table class="samples">\n${head}\n${rows.join('\n')}\n</table>`;
}

/** The whole report page; `extraSections` (HTML) go after the charts, e.g. the learning-rate sweep. */
export function renderHtml(
  summary: Summary,
  charts: readonly [ChartSpec, string][],
  extraSections: readonly string[] = [],
): string {
  const warnings = shortRunWarnings(summary);
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>SLIME showcase report</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>SLIME showcase report</h1>',
    ...(warnings.length > 0
      ? [
          '<div class="warn" role="note"><p><strong>Read with care:</strong></p>' +
            `${warnings.map((w) => `<p>${escape(w)}</p>`).join('')}</div>`,
        ]
      : []),
    ...describeRun(summary).map((p) => `<p>${escape(p)}</p>`),
    '<h2>What was observed</h2>',
    `<ul>${summary.observations.map((o) => `<li>${escape(o)}</li>`).join('\n')}</ul>`,
    '<h2>Final held-out figures</h2>',
    '<p>Mean ± sample standard deviation over seeds, measured on held-out pairs and prompts after the last step. ' +
      'Terms are defined in the glossary below.</p>',
    table(
      TABLE_COLUMNS.map((c) => c.header),
      finalTable(summary),
    ),
  ];
  if (charts.length > 0) {
    const seeds = summary.checkpoint.perSeed.length;
    parts.push(
      '<h2>During training</h2>',
      '<p>Held-out figures every few steps; step 0 is the SFT checkpoint every method starts from. ' +
        `Lines are means over ${seeds} seed${seeds === 1 ? '' : 's'}` +
        `${charts.some(([, svg]) => svg.includes('mark-area')) ? ', shaded bands one standard deviation' : ''}.</p>`,
    );
    parts.push(`<div class="charts">${charts.map(([, svg]) => `<div>${svg}</div>`).join('\n')}</div>`);
  }
  parts.push(...extraSections);
  if (summary.methods.length > 0) {
    parts.push('<h2>Sample answers (greedy, held-out prompts, first seed)</h2>', samplesHtml(summary));
    parts.push(
      '<h2>Loss terms (training batches, TRL metric names)</h2>',
      '<p>Mean over the last evaluation interval of training, then mean ± std over seeds.</p>',
    );
    parts.push(table(LOSS_TERMS_HEADERS, lossTermsTable(summary)));
  }
  parts.push(
    '<h2>Glossary</h2>',
    `<dl class="glossary">${GLOSSARY.map(([t, d]) => `<dt>${escape(t)}</dt><dd>${escape(d)}</dd>`).join('')}</dl>`,
  );
  parts.push(
    '<h2>Reproduce this run</h2>',
    `<pre class="cmd"><code>${escape(reproduceCommand(summary.settings))}</code></pre>`,
  );
  parts.push(
    '<h2>Settings</h2>',
    `<table class="settings">${settingsRows(summary.settings)
      .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`)
      .join('\n')}</table>`,
  );
  parts.push('</body></html>', '');
  return parts.join('\n');
}
