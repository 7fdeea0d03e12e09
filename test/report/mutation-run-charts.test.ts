// The per-step charts (run-charts.ts, chart-specs.ts) and the report writer (write-report.ts) on hand-made inputs,
// without running the showcase. lineChart is replaced by a stub that records what it was asked to draw and returns
// a marker instead of an SVG (charts.ts has its own tests), so these run in milliseconds.

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DASHES, PALETTE, RUN_CHARTS, seriesStyle } from '../../src/report/chart-specs.js';
import type { LineChartOptions } from '../../src/report/charts.js';
import { MIN_SEEDS_FOR_BANDS, renderRunCharts } from '../../src/report/run-charts.js';
import type { MethodSummary, RunResults, Summary } from '../../src/report/summary.js';
import { CHART_DIR, writeReport } from '../../src/report/write-report.js';
import { EVAL_METRICS, type EvalMetrics } from '../../src/train/evaluate.js';
import { handMethod, handSummary } from './hand-summary.js';

const drawn: LineChartOptions[] = [];
vi.mock('../../src/report/charts.js', () => ({
  lineChart: async (o: LineChartOptions) => {
    drawn.push(o);
    return `<svg>${o.title}</svg>`;
  },
}));

beforeEach(() => {
  drawn.length = 0;
});

const TITLES = [
  'Chosen likelihood (held-out): unlearning shows as a fall',
  'Rejected likelihood (held-out): how far the rejected answer is pushed down',
  'Greedy answers in the template: formatting collapse shows as a fall',
  'Held-out margin: lbar(chosen) - lbar(rejected)',
  'Greedy answer accuracy (held-out): the task itself',
  'Least likely rejected token (held-out): a fall towards 0 is crushing',
];

describe('chart-specs', () => {
  it('six charts: file, metric, title, axis label, log axis and rate flags', () => {
    expect(RUN_CHARTS).toEqual([
      { file: 'chosen-lbar.svg', metric: 'eval_lbar/chosen', title: TITLES[0], yLabel: 'chosen lbar (nats/token)' },
      {
        file: 'rejected-lbar.svg',
        metric: 'eval_lbar/rejected',
        title: TITLES[1],
        yLabel: 'rejected lbar (nats/token)',
      },
      {
        file: 'format-valid.svg',
        metric: 'eval_format_valid_rate',
        title: TITLES[2],
        yLabel: 'format-valid rate',
        rate: true,
      },
      { file: 'margin.svg', metric: 'eval_margin/lbar', title: TITLES[3], yLabel: 'margin (nats/token)' },
      {
        file: 'answer-accuracy.svg',
        metric: 'eval_answer_accuracy',
        title: TITLES[4],
        yLabel: 'answer accuracy',
        rate: true,
      },
      {
        file: 'min-rejected-prob.svg',
        metric: 'eval_min_token_prob/rejected',
        title: TITLES[5],
        yLabel: 'lowest rejected-token p',
        logY: true,
      },
    ]);
  });

  it('the palette without yellow, three dash patterns, cycled independently', () => {
    expect(PALETTE).toEqual(['#000000', '#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7']);
    expect(DASHES).toEqual([[], [8, 4], [2, 3]]);
    expect(seriesStyle(0)).toEqual({ color: '#000000', dash: [] });
    expect(seriesStyle(5)).toEqual({ color: '#D55E00', dash: [2, 3] });
    expect(seriesStyle(7)).toEqual({ color: '#000000', dash: [8, 4] });
    expect(seriesStyle(8)).toEqual({ color: '#E69F00', dash: [2, 3] });
  });
});

/** Every metric's curve: step 0 at mean 0.25, step 2 at mean 0.75, both with std 0.5; the probability hits 0. */
function curves(): MethodSummary['curves'] {
  return Object.fromEntries(
    EVAL_METRICS.map((k) => [
      k,
      k === 'eval_min_token_prob/rejected'
        ? [
            { step: 0, mean: 0.25, std: 0.5 },
            { step: 2, mean: 0, std: 0 },
          ]
        : [
            { step: 0, mean: 0.25, std: 0.5 },
            { step: 2, mean: 0.75, std: 0.5 },
          ],
    ]),
  ) as MethodSummary['curves'];
}

function withSeeds(n: number): Summary {
  const s = handSummary({ methods: [handMethod('dpo', 'DPO', { curves: curves() }), handMethod('ipo', 'IPO')] });
  s.methods[1].curves = curves();
  s.checkpoint.perSeed = Array.from({ length: n }, (_, seed) => ({
    seed,
    sftSteps: 1,
    sftSeconds: 1,
    sftLoss: 1,
    metrics: {} as EvalMetrics,
  }));
  return s;
}

describe('renderRunCharts', () => {
  it('one chart per spec, a line per method, same size, rates on [0, 1]', async () => {
    const out = await renderRunCharts(withSeeds(2));
    expect(out.map(([spec, svg]) => [spec.file, svg])).toEqual(
      RUN_CHARTS.map((spec, i) => [spec.file, `<svg>${TITLES[i]}</svg>`]),
    );
    expect(drawn.map(({ series, ...rest }) => rest)).toEqual(
      RUN_CHARTS.map((spec, i) => ({
        title: TITLES[i],
        xLabel: 'preference training step',
        yLabel: spec.yLabel,
        logY: i === 5 ? true : undefined,
        yDomain: i === 2 || i === 4 ? [0, 1] : undefined,
        width: 560,
        height: 260,
      })),
    );
    // two seeds: no bands
    expect(MIN_SEEDS_FOR_BANDS).toBe(3);
    const plain = [
      { x: 0, y: 0.25 },
      { x: 2, y: 0.75 },
    ];
    expect(drawn[0].series).toEqual([
      { name: 'DPO', points: plain },
      { name: 'IPO', points: plain },
    ]);
    expect(drawn[2].series[0].points).toEqual(plain);
  });

  it('three seeds: bands of one std, cut to [0, 1] for rates; a log axis has no band and a floor for 0', async () => {
    await renderRunCharts(withSeeds(3));
    expect(drawn[0].series[0].points).toEqual([
      { x: 0, y: 0.25, lo: -0.25, hi: 0.75 },
      { x: 2, y: 0.75, lo: 0.25, hi: 1.25 },
    ]);
    expect(drawn[2].series[1].points).toEqual([
      { x: 0, y: 0.25, lo: 0, hi: 0.75 },
      { x: 2, y: 0.75, lo: 0.25, hi: 1 },
    ]);
    expect(drawn[5].series[0].points).toEqual([
      { x: 0, y: 0.25 },
      { x: 2, y: 1e-30 },
    ]);
  });

  it('draws nothing before a method has finished', async () => {
    expect(await renderRunCharts(handSummary({ methods: [] }))).toEqual([]);
    expect(drawn).toEqual([]);
  });
});

/** Raw results of one seed: every run ends at step 2 with metric i at v + i. */
function results(methods: RunResults['methods']): RunResults {
  const m = (v: number) => Object.fromEntries(EVAL_METRICS.map((k, i) => [k, v + i])) as unknown as EvalMetrics;
  return {
    settings: { steps: 2, seeds: [0] },
    task: { kind: 'addition', description: 'add', trainPairs: 1, heldOutPairs: 1, generationPrompts: 1 },
    methods,
    checkpoints: [{ seed: 0, sftSteps: 1, sftSeconds: 1, sftLoss: 1, metrics: m(0), samples: [] }],
    runs: methods.map((x, j) => ({
      method: x.name,
      seed: 0,
      steps: 2,
      complete: true,
      curve: [
        { step: 0, metrics: m(0) },
        { step: 2, metrics: m(j) },
      ],
      train: {},
      samples: [],
      seconds: 1,
    })),
    interrupted: false,
    wallSeconds: 1,
  };
}

describe('writeReport', () => {
  it('a plain run: summary.json with observations, the six charts, report.md and report.html', async () => {
    const out = await mkdtemp(join(tmpdir(), 'write-report-'));
    const summary = await writeReport(out, results([{ name: 'dpo', label: 'DPO', description: 'd' }]));
    expect(summary.methods.map((x) => x.name)).toEqual(['dpo']);
    expect(summary.observations[0]).toBe(
      'Held-out chosen lbar (mean log-prob per chosen token) was 0.000 at the SFT checkpoint; ' +
        'after 2 steps (mean of 1 seed): DPO 0.000.',
    );
    const json = await readFile(join(out, 'summary.json'), 'utf8');
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.startsWith('{\n  "settings": {\n    "steps": 2,')).toBe(true);
    expect(JSON.parse(json)).toEqual(summary);
    expect(CHART_DIR).toBe('charts');
    expect((await readdir(join(out, 'charts'))).sort()).toEqual(RUN_CHARTS.map((s) => s.file).sort());
    expect(await readFile(join(out, 'charts', 'margin.svg'), 'utf8')).toBe(`<svg>${TITLES[3]}</svg>`);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('![Chosen likelihood (held-out): unlearning shows as a fall](charts/chosen-lbar.svg)');
    expect(md).not.toContain('the sweep');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`<div class="charts"><div><svg>${TITLES[0]}</svg></div>`);
    expect(html).not.toContain('the sweep');
    // nothing between the charts and the answers: no rate note, no sweep section
    expect(html).toContain(`<svg>${TITLES[5]}</svg></div></div>\n<h2>Sample answers`);
    expect(md).toContain(`(charts/min-rejected-prob.svg)\n\n## Sample answers`);
    // a second report into the same folder (an interrupted run rewritten at its end) overwrites it
    await writeReport(out, results([{ name: 'ipo', label: 'IPO', description: 'i' }]));
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('IPO');
  });

  it('a sweep: per-step charts at the middle rate, the sweep charts as numbered files, and a note saying so', async () => {
    const out = await mkdtemp(join(tmpdir(), 'write-report-'));
    await writeReport(
      out,
      results(
        [0.001, 0.01, 0.1].map((lr) => ({
          name: `dpo@${lr}`,
          label: `DPO @ lr ${lr}`,
          description: 'd',
          method: 'dpo',
          lr,
        })),
      ),
    );
    const files = (await readdir(join(out, 'charts'))).sort();
    expect(files).toEqual([...RUN_CHARTS.map((s) => s.file), 'sweep-1.svg', 'sweep-2.svg', 'sweep-3.svg'].sort());
    expect(await readFile(join(out, 'charts', 'sweep-2.svg'), 'utf8')).toBe(
      '<svg>Final format-valid rate against the learning rate</svg>',
    );
    // the per-step charts have one line, the middle rate's, labelled without the rate
    expect(drawn[0].series.map((x) => x.name)).toEqual(['DPO']);
    const note =
      "The charts above show the runs at lr 0.01, the sweep's middle rate; " +
      'the learning-rate sweep section below compares the rates.';
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain(`![${TITLES[3]}](charts/margin.svg)`);
    expect(md).toContain(`${note}\n\n## Learning-rate sweep`);
    expect(md).toContain('![Final chosen likelihood against the learning rate](charts/sweep-1.svg)');
    expect(md).toContain('![Final answer accuracy against the learning rate](charts/sweep-3.svg)');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`<p>${note}</p>\n<h2>Learning-rate sweep</h2>`);
    expect(html).toContain('<div><svg>Final answer accuracy against the learning rate</svg></div>');
  });
});
