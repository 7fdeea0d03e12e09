// report.html and report.md (html.ts, markdown.ts) on a hand-made summary, without running the showcase: the whole
// page, line by line, with every heading, table and escape written out here. The run description is the one
// test/report/parts.test.ts pins for the same summary.

import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../src/report/chart-specs.js';
import { GLOSSARY } from '../../src/report/guide.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Summary } from '../../src/report/summary.js';
import { handMethod, handSummary, st } from './hand-summary.js';

const DESCRIBED = [
  'Task: Add two numbers. 100 training pairs; 20 held-out pairs scored for likelihoods and ' +
    '10 held-out prompts answered greedily.',
  'Pipeline: a byte-level GPT-2 (2 layers, 32 wide, 4 heads, block 64) is trained with SFT on the chosen ' +
    'completions (40 steps), then each method starts from that same checkpoint and trains for 24 steps of 8 ' +
    'pairs at learning rate 0.001 (AdamW, linear warmup over the first tenth of the steps, no weight decay, ' +
    'gradient norm clipped to 1), in the same data order. 2 seeds: each seed has its own SFT run and data ' +
    'order. Held-out evaluation every 6 steps.',
  'Methods: DPO — dpo in words.',
  'Wall time of the whole run: 89 s.',
];
const WARNINGS = [
  'The SFT checkpoint answers only 25% of held-out prompts correctly after 40 SFT steps: ' +
    'it has not learned the task yet, so the methods below are compared on an undertrained model ' +
    'and their differences say little. Run more SFT steps (the default run, without --quick, uses 200).',
  'Only 24 preference steps per method: too few for the losses to pull apart; ' +
    'treat differences as noise (the default run uses 96).',
];
const HEADERS = [
  'chosen lbar',
  'chosen sum-l',
  'rejected lbar',
  'lowest rejected-token p',
  'margin (lbar)',
  'preference acc.',
  'format-valid',
  'answer acc.',
];
// finals(-2) and finals(-1) of hand-summary.ts, with the checkpoint's answer accuracy set to 0.25 ± 0.1
const CHECKPOINT_CELLS = [
  '-2.000 ± 0.000',
  '-1.88 ± 0.01',
  '-1.750 ± 0.020',
  '-1.5e+0 ± 4.0e-2',
  '-1.375 ± 0.050',
  '-1.250 ± 0.060',
  '-1.125 ± 0.070',
  '0.250 ± 0.100',
];
const DPO_CELLS = [
  '-1.000 ± 0.000',
  '-0.88 ± 0.01',
  '-0.750 ± 0.020',
  '-5.0e-1 ± 4.0e-2',
  '-0.375 ± 0.050',
  '-0.250 ± 0.060',
  '-0.125 ± 0.070',
  '0.000 ± 0.080',
];
const COMMAND =
  'npm start -- --seeds 2 --sft-steps 40 --steps 24 --batch 8 --lr 0.001 --eval-every 6 ' +
  '--n-embd 32 --n-layer 2 --n-head 4 --block-size 64 --out runs/<x>';
const SETTINGS: [string, string][] = [
  ['seeds', '2 (0, 1)'],
  ['SFT steps', '40'],
  ['preference steps per method', '24'],
  ['pairs per step', '8'],
  ['preference learning rate', '0.001'],
  ['evaluate every (steps)', '6'],
  ['model size', '2 layers, 32 wide, 4 heads, block 64 tokens'],
  ['output folder', 'runs/<x>'],
];

const sample = (prompt: string, before: string, after: string, afterFormatValid: boolean, afterCorrect: boolean) => ({
  prompt,
  before,
  after,
  afterFormatValid,
  afterCorrect,
});

/** One method with three answers (valid but wrong, broken, right), a loss, and text that needs escaping. */
function pageSummary(): Summary {
  const s = handSummary(
    {
      methods: [
        handMethod('dpo', 'DPO', {
          samples: [
            sample('1+1', 'A:2.', 'A:<3>.', true, false),
            sample('2&2|`', '', 'x\\y\nz', false, false),
            sample('3+3', 'A:6.', 'A:6.', true, true),
          ],
          train: { loss: st(0.5, 0.25) },
        }),
      ],
      observations: ['a < b & "c"', 'second'],
    },
    { out: 'runs/<x>' },
  );
  s.checkpoint.final = { ...s.checkpoint.final, eval_answer_accuracy: st(0.25, 0.1) };
  s.checkpoint.perSeed = [{ seed: 0, sftSteps: 40, sftSeconds: 1, sftLoss: 1, metrics: {} as never }];
  return s;
}

/** A run with nothing to warn about and no method finished. */
function quietSummary(): Summary {
  const s = handSummary({ methods: [] }, { steps: 96, out: 'runs/<x>' });
  s.checkpoint.final = { ...s.checkpoint.final, eval_answer_accuracy: st(0.25, 0.1) };
  s.task = { ...s.task, kind: 'file' };
  return s;
}

const spec = (file: string, title: string): ChartSpec => ({ file, title, metric: 'eval_lbar/chosen', yLabel: 'y' });

describe('renderHtml', () => {
  const esc = (t: string) =>
    t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const row = (label: string, cells: string[]) =>
    `<tr><th>${label}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const head = (cells: string[]) => `<tr><th>method</th>${cells.map((c) => `<th>${c}</th>`).join('')}</tr>`;
  const finalTable = (rows: string[]) => ['<table>', head(HEADERS), ...rows, '</table>'].join('\n');

  /** Everything from the end of the style sheet on. */
  const afterStyle = (page: string) => page.slice(page.indexOf('</style></head><body>'));

  it('opens with the title and a style sheet', () => {
    const page = renderHtml(pageSummary(), []);
    expect(
      page.startsWith(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>SLIME showcase report</title>\n' +
          '<style>body{font:16px/1.5 system-ui,sans-serif;',
      ),
    ).toBe(true);
    // one check in each part of the style sheet
    expect(page).toContain('table{border-collapse:collapse;margin:1em 0;font-size:.95em}th,td{border:1px solid');
    expect(page).toContain('.warn{background:#fff4e0;');
  });

  it('the whole body of a page with warnings, charts, an extra section, answers and loss terms', () => {
    const charts: [ChartSpec, string][] = [
      [spec('a.svg', 'A'), '<svg class="mark-area">A</svg>'],
      [spec('b.svg', 'B'), '<svg>B</svg>'],
    ];
    const body = afterStyle(renderHtml(pageSummary(), charts, ['<p>extra</p>', '<p>more</p>']));
    expect(body.split('\n')).toEqual(
      [
        '</style></head><body>',
        '<h1>SLIME showcase report</h1>',
        '<div class="warn" role="note"><p><strong>Read with care:</strong></p>' +
          `${WARNINGS.map((w) => `<p>${w}</p>`).join('')}</div>`,
        ...DESCRIBED.map((p) => `<p>${p}</p>`),
        '<h2>What was observed</h2>',
        '<ul><li>a &lt; b &amp; &quot;c&quot;</li>\n<li>second</li></ul>',
        '<h2>Final held-out figures</h2>',
        '<p>Mean ± sample standard deviation over seeds, measured on held-out pairs and prompts after the last step. ' +
          'Terms are defined in the glossary below.</p>',
        finalTable([row('SFT checkpoint (start)', CHECKPOINT_CELLS), row('DPO', DPO_CELLS)]),
        '<h2>During training</h2>',
        '<p>Held-out figures every few steps; step 0 is the SFT checkpoint every method starts from. ' +
          'Lines are means over 1 seed, shaded bands one standard deviation.</p>',
        '<div class="charts"><div><svg class="mark-area">A</svg></div>\n<div><svg>B</svg></div></div>',
        '<p>extra</p>',
        '<p>more</p>',
        '<h2>Sample answers (greedy, held-out prompts, first seed)</h2>',
        '<table class="samples">\n<tr><th>prompt</th><th>SFT checkpoint</th><th>DPO</th></tr>\n' +
          '<tr><th><code>1+1</code></th><td><code>A:2.</code></td>' +
          '<td><code>A:&lt;3&gt;.</code> <small class="bad">valid, wrong</small></td></tr>\n' +
          '<tr><th><code>2&amp;2|`</code></th><td><code></code></td>' +
          '<td><code>x\\y\nz</code> <small class="bad">broken</small></td></tr>\n' +
          '<tr><th><code>3+3</code></th><td><code>A:6.</code></td>' +
          '<td><code>A:6.</code> <small class="ok">right</small></td></tr>\n</table>',
        '<h2>Loss terms (training batches, TRL metric names)</h2>',
        '<p>Mean over the last evaluation interval of training, then mean ± std over seeds.</p>',
        [
          '<table>',
          head(['loss', 'rewards/margins', 'rewards/accuracies', 'terms']),
          row('DPO', ['0.5000 ± 0.2500', '-', '-', '']),
          '</table>',
        ].join('\n'),
        '<h2>Glossary</h2>',
        `<dl class="glossary">${GLOSSARY.map(([t, d]) => `<dt>${esc(t)}</dt><dd>${esc(d)}</dd>`).join('')}</dl>`,
        '<h2>Reproduce this run</h2>',
        `<pre class="cmd"><code>${esc(COMMAND)}</code></pre>`,
        '<h2>Settings</h2>',
        `<table class="settings">${SETTINGS.map(([k, v]) => `<tr><th>${k}</th><td>${esc(v)}</td></tr>`).join('\n')}</table>`,
        '</body></html>',
        '',
      ]
        .join('\n')
        .split('\n'),
    );
    // the glossary's template text is escaped
    expect(body).toContain('&quot;A:&lt;number&gt;.&quot;');
  });

  it('no warning box, no chart section and no answers when there is nothing to show', () => {
    const body = afterStyle(renderHtml(quietSummary(), []));
    expect(body).not.toContain('class="warn"');
    expect(body).not.toContain('<h2>During training</h2>');
    expect(body).not.toContain('<h2>Sample answers');
    expect(body).not.toContain('<h2>Loss terms');
    expect(body).toContain(
      '<h2>Final held-out figures</h2>\n<p>Mean ± sample standard deviation over seeds, measured on held-out pairs ' +
        'and prompts after the last step. Terms are defined in the glossary below.</p>\n' +
        finalTable([row('SFT checkpoint (start)', CHECKPOINT_CELLS)]) +
        '\n<h2>Glossary</h2>',
    );
    expect(body.startsWith('</style></head><body>\n<h1>SLIME showcase report</h1>\n<p>Task: ')).toBe(true);
    expect(body).toContain('<ul></ul>');
  });

  it('charts without bands, over several seeds', () => {
    const s = pageSummary();
    s.checkpoint.perSeed = [...s.checkpoint.perSeed, ...s.checkpoint.perSeed];
    const body = renderHtml(s, [[spec('a.svg', 'A'), '<svg>A</svg>']]);
    expect(body).toContain(
      '<h2>During training</h2>\n<p>Held-out figures every few steps; step 0 is the SFT checkpoint every method ' +
        'starts from. Lines are means over 2 seeds.</p>\n<div class="charts"><div><svg>A</svg></div></div>\n<h2>',
    );
  });
});

describe('renderMarkdown', () => {
  const table = (headers: string[], rows: string[][]) =>
    [
      `| method | ${headers.join(' | ')} |`,
      `|---|${headers.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');

  it('the whole page: warnings, description, tables, chart files, extra sections, answers, guide', () => {
    const md = renderMarkdown(pageSummary(), [spec('a.svg', 'A'), spec('b.svg', 'B')], 'charts', ['extra\n']);
    expect(md.split('\n')).toEqual(
      [
        '# SLIME showcase report',
        '',
        '> **Read with care:**',
        ...WARNINGS.map((w) => `> - ${w}`),
        '',
        ...DESCRIBED.flatMap((p) => [p, '']),
        '## What was observed',
        '',
        '- a < b & "c"',
        '- second',
        '',
        '## Final held-out figures',
        '',
        'Mean ± sample standard deviation over seeds, measured on held-out pairs and prompts after the last step.',
        '',
        table(HEADERS, [
          ['SFT checkpoint (start)', ...CHECKPOINT_CELLS],
          ['DPO', ...DPO_CELLS],
        ]),
        '',
        '## During training',
        '',
        '![A](charts/a.svg)',
        '',
        '![B](charts/b.svg)',
        '',
        'extra',
        '',
        '## Sample answers (greedy, held-out prompts, first seed)',
        '',
        '| prompt | SFT checkpoint | DPO |',
        '|---|---|---|',
        '| `1+1` | `A:2.` | `A:<3>.` valid, wrong |',
        "| `2&2\\|'` | (empty) | `x\\\\y\\nz` broken |",
        '| `3+3` | `A:6.` | `A:6.` right |',
        '',
        '## Loss terms (training batches, TRL metric names)',
        '',
        'Mean over the last evaluation interval of training, then mean ± std over seeds.',
        '',
        table(['loss', 'rewards/margins', 'rewards/accuracies', 'terms'], [['DPO', '0.5000 ± 0.2500', '-', '-', '']]),
        '',
        '## Glossary',
        '',
        ...GLOSSARY.map(([t, d]) => `- **${t}**: ${d}`),
        '',
        '## Reproduce this run',
        '',
        '```sh',
        COMMAND,
        '```',
        '',
        '## Settings',
        '',
        '| setting | value |',
        '|---|---|',
        ...SETTINGS.map(([k, v]) => `| ${k} | ${v} |`),
        '',
      ]
        .join('\n')
        .split('\n'),
    );
  });

  it('nothing to warn about, no charts, no method: those sections are left out', () => {
    const md = renderMarkdown(quietSummary(), [], 'charts');
    expect(md).not.toContain('Read with care');
    expect(md).not.toContain('## During training');
    expect(md).not.toContain('## Sample answers');
    expect(md).not.toContain('## Loss terms');
    expect(md.startsWith('# SLIME showcase report\n\nTask: ')).toBe(true);
    expect(md).toContain(
      `after the last step.\n\n${table(HEADERS, [['SFT checkpoint (start)', ...CHECKPOINT_CELLS]])}\n\n## Glossary`,
    );
  });

  it('table cells escape backslashes, pipes and newlines', () => {
    const s = pageSummary();
    s.methods[0].label = 'a|b\\c\nd';
    expect(renderMarkdown(s, [], 'c')).toContain('| a\\|b\\\\c\\nd | -1.000 ± 0.000 |');
  });
});
