// The learning-rate sweep's grouping, verdicts, charts and report section (sweep.ts, sweep-section.ts) on a
// hand-made summary, without running the showcase. Charts are not rendered: lineChart is replaced by a stub that
// records what it was asked to draw (charts.ts has its own tests).

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LineChartOptions } from '../../src/report/charts.js';
import type { Summary } from '../../src/report/summary.js';
import { sweepSectionHtml, sweepSectionMarkdown } from '../../src/report/sweep-section.js';
import {
  FORMAT_KEPT,
  atOneRate,
  renderSweepCharts,
  soundRates,
  sweepByMethod,
  sweepFindings,
  SWEEP_METRICS,
  UNLEARNING_TOLERANCE,
} from '../../src/report/sweep.js';
import { finals, handMethod, handSummary, st } from './hand-summary.js';

const drawn: LineChartOptions[] = [];
vi.mock('../../src/report/charts.js', () => ({
  lineChart: async (o: LineChartOptions) => {
    drawn.push(o);
    return `<svg>${o.title}</svg>`;
  },
}));

/** A run at `lr` with final chosen lbar, format-valid rate and answer accuracy (std 0.01, 0.02, 0.03). */
function at(method: string, label: string, lr: number, chosen: number, format: number, answer: number) {
  const final = {
    ...finals(0),
    'eval_lbar/chosen': st(chosen, 0.01),
    eval_format_valid_rate: st(format, 0.02),
    eval_answer_accuracy: st(answer, 0.03),
  };
  return handMethod(`${method}@${lr}`, `${label} @ lr ${lr}`, { method, lr, final });
}

// checkpoint: chosen lbar -1 and format-valid 1, so a sound run has chosen >= -1.1 and format-valid >= 0.9
const WEIRD = 'I<P>&O|x';
function sweep(): Summary {
  const s = handSummary({
    methods: [
      at('dpo', 'DPO', 0.01, -1.2, 1, 0.7),
      at('slime', 'SLIME', 0.001, -1, 1, 0.6),
      at('dpo', 'DPO', 0.001, -1.1, 0.9, 0.5),
      handMethod('sft', 'SFT'),
      at('slime', 'SLIME', 0.1, -1.05, 0.9, 0.4),
      at('slime', 'SLIME', 0.01, -0.9, 0.95, 0.6),
      at('ipo', WEIRD, 0.01, -1, 0.89, 0.1),
    ],
  });
  s.checkpoint.final = { ...finals(0), 'eval_lbar/chosen': st(-1), eval_format_valid_rate: st(1) };
  return s;
}

const FINDINGS = [
  'DPO: kept its chosen likelihood and the template only at lr 0.001 (of 0.001, 0.01); ' +
    'best answer accuracy 70% at lr 0.01.',
  'SLIME: robust — kept its chosen likelihood and the template at every rate tried (0.001, 0.01, 0.1); ' +
    'best answer accuracy 60% at lr 0.001.',
  `${WEIRD}: at no rate tried did it keep both its chosen likelihood and the template; ` +
    'best answer accuracy 10% at lr 0.01.',
];

const INTRO =
  'Every method was trained at every rate, from the same SFT checkpoints, with the same seeds and data order. ' +
  "A run counts as sound when its final chosen lbar is at most 0.1 nats per token below the checkpoint's " +
  "and its format-valid rate is at least 90% of the checkpoint's.";

beforeEach(() => {
  drawn.length = 0;
});

describe('sweepByMethod and soundRates', () => {
  it('groups the runs by method in the order given, rates ascending, labels without the rate', () => {
    const groups = sweepByMethod(sweep());
    expect(groups.map((g) => [g.method, g.label, g.points.map((p) => [p.lr, p.run.name])])).toEqual([
      [
        'dpo',
        'DPO',
        [
          [0.001, 'dpo@0.001'],
          [0.01, 'dpo@0.01'],
        ],
      ],
      [
        'slime',
        'SLIME',
        [
          [0.001, 'slime@0.001'],
          [0.01, 'slime@0.01'],
          [0.1, 'slime@0.1'],
        ],
      ],
      ['ipo', WEIRD, [[0.01, 'ipo@0.01']]],
    ]);
    expect(sweepByMethod(handSummary())).toEqual([]);
    // a run variant that names its method but not its rate is not part of the sweep
    expect(sweepByMethod(handSummary({ methods: [handMethod('x', 'X', { method: 'x' })] }))).toEqual([]);
  });

  it('a rate is sound when the chosen lbar fell at most 0.1 and the format-valid rate kept 90%, both at the edge', () => {
    expect(UNLEARNING_TOLERANCE).toBe(0.1);
    expect(FORMAT_KEPT).toBe(0.9);
    const s = sweep();
    expect(sweepByMethod(s).map((g) => soundRates(g, s))).toEqual([[0.001], [0.001, 0.01, 0.1], []]);
  });

  it('one finding per method: robust, sound only at some rates, or at none, with the best accuracy', () => {
    expect(sweepFindings(sweep())).toEqual(FINDINGS);
  });
});

describe('a checkpoint below a perfect template', () => {
  it('keeps 90% of its format-valid rate, and lists the several sound rates', () => {
    const s = handSummary({
      methods: [at('m', 'M', 1, -1, 0.75, 0.5), at('m', 'M', 2, -1, 0.8, 0.5), at('m', 'M', 3, -2, 0.8, 0.5)],
    });
    // format-valid 0.8 at the checkpoint: a run keeps the template from 0.9 * 0.8 = 0.72 up (0.75 here)
    s.checkpoint.final = { ...finals(0), 'eval_lbar/chosen': st(-1), eval_format_valid_rate: st(0.8) };
    expect(sweepFindings(s)).toEqual([
      'M: kept its chosen likelihood and the template only at lr 1, 2 (of 1, 2, 3); best answer accuracy 50% at lr 1.',
    ]);
  });
});

describe('atOneRate', () => {
  it('keeps the runs at the middle rate (the lower middle for an even count), labels without the rate', () => {
    const { summary, lr } = atOneRate(sweep());
    expect(lr).toBe(0.01);
    expect(summary.methods.map((m) => [m.name, m.label])).toEqual([
      ['dpo@0.01', 'DPO'],
      ['slime@0.01', 'SLIME'],
      ['ipo@0.01', WEIRD],
    ]);
    expect(summary.checkpoint).toEqual(sweep().checkpoint);
    const two = handSummary({ methods: [at('a', 'A', 0.3, 0, 0, 0), at('a', 'A', 0.2, 0, 0, 0)] });
    expect(atOneRate(two).lr).toBe(0.2);
  });

  it('leaves a run without a sweep as it is', () => {
    const plain = handSummary();
    expect(atOneRate(plain)).toEqual({ summary: plain, lr: null });
    expect(atOneRate(plain).summary).toBe(plain);
  });
});

describe('renderSweepCharts', () => {
  it('one chart per sweep metric, a line per method over the rates on a log x axis, rates on [0, 1]', async () => {
    const charts = await renderSweepCharts(sweep());
    const titles = [
      'Final chosen likelihood against the learning rate',
      'Final format-valid rate against the learning rate',
      'Final answer accuracy against the learning rate',
    ];
    expect(SWEEP_METRICS.map((m) => m.metric)).toEqual([
      'eval_lbar/chosen',
      'eval_format_valid_rate',
      'eval_answer_accuracy',
    ]);
    expect(charts).toEqual(titles.map((t) => [t, `<svg>${t}</svg>`]));
    const common = { xLabel: 'preference learning rate (log axis)', logX: true, width: 560, height: 260 };
    expect(drawn.map(({ series, ...rest }) => rest)).toEqual([
      { ...common, title: titles[0], yLabel: 'chosen lbar (nats/token)', yDomain: undefined },
      { ...common, title: titles[1], yLabel: 'format-valid rate', yDomain: [0, 1] },
      { ...common, title: titles[2], yLabel: 'answer accuracy', yDomain: [0, 1] },
    ]);
    expect(drawn[0].series).toEqual([
      {
        name: 'DPO',
        points: [
          { x: 0.001, y: -1.1 },
          { x: 0.01, y: -1.2 },
        ],
      },
      {
        name: 'SLIME',
        points: [
          { x: 0.001, y: -1 },
          { x: 0.01, y: -0.9 },
          { x: 0.1, y: -1.05 },
        ],
      },
      { name: WEIRD, points: [{ x: 0.01, y: -1 }] },
    ]);
    expect(drawn[2].series[1].points.map((p) => p.y)).toEqual([0.6, 0.6, 0.4]);
  });

  it('draws nothing for a run without a sweep', async () => {
    expect(await renderSweepCharts(handSummary())).toEqual([]);
    expect(drawn).toEqual([]);
  });
});

describe('the sweep section', () => {
  const rows: string[][] = [
    ['DPO', '0.001', '-1.100 ± 0.010', '0.900 ± 0.020', '0.500 ± 0.030'],
    ['DPO', '0.01', '-1.200 ± 0.010', '1.000 ± 0.020', '0.700 ± 0.030'],
    ['SLIME', '0.001', '-1.000 ± 0.010', '1.000 ± 0.020', '0.600 ± 0.030'],
    ['SLIME', '0.01', '-0.900 ± 0.010', '0.950 ± 0.020', '0.600 ± 0.030'],
    ['SLIME', '0.1', '-1.050 ± 0.010', '0.900 ± 0.020', '0.400 ± 0.030'],
    [WEIRD, '0.01', '-1.000 ± 0.010', '0.890 ± 0.020', '0.100 ± 0.030'],
  ];
  const charts: [string, string][] = [
    ['t1', '<svg>1</svg>'],
    ['t2', '<svg>2</svg>'],
  ];

  it('HTML: heading, intro, findings, charts inline, then the table, text escaped', () => {
    const esc = (t: string) => t.replace('I<P>&O', 'I&lt;P&gt;&amp;O');
    expect(sweepSectionHtml(sweep(), charts)).toEqual([
      '<h2>Learning-rate sweep</h2>',
      `<p>${INTRO}</p>`,
      `<ul>${FINDINGS.map((f) => `<li>${esc(f)}</li>`).join('\n')}</ul>`,
      '<div class="charts"><div><svg>1</svg></div>\n<div><svg>2</svg></div></div>',
      '<p>Final held-out figures per rate, mean ± std over seeds:</p>',
      '<table>\n<tr><th>method</th><th>learning rate</th><th>chosen lbar</th><th>format-valid</th>' +
        '<th>answer acc.</th></tr>\n' +
        rows
          .map(
            (r) =>
              `<tr><th>${esc(r[0])}</th>${r
                .slice(1)
                .map((c) => `<td>${c}</td>`)
                .join('')}</tr>`,
          )
          .join('\n') +
        '\n</table>',
    ]);
    expect(sweepSectionHtml(sweep(), [])).toEqual([]);
  });

  it('Markdown: the same, linking the chart files, table cells with | escaped', () => {
    expect(sweepSectionMarkdown(sweep(), charts)).toEqual([
      '## Learning-rate sweep',
      '',
      INTRO,
      '',
      ...FINDINGS.map((f) => `- ${f}`),
      '',
      '![t1](<svg>1</svg>)',
      '',
      '![t2](<svg>2</svg>)',
      '',
      '| method | learning rate | chosen lbar | format-valid | answer acc. |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ').replace('O|x', 'O\\|x')} |`),
      '',
    ]);
    expect(sweepSectionMarkdown(sweep(), [])).toEqual([]);
  });
});
