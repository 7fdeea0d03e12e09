// The report's charts: one held-out metric against the training step, a line per method (mean over seeds) with a
// band of one standard deviation. The SFT checkpoint is step 0 of every line.

import type { EvalMetric } from '../train/evaluate.js';
import { lineChart, type ChartSeries } from './charts.js';
import type { Summary } from './summary.js';

export interface ChartSpec {
  file: string;
  metric: EvalMetric;
  title: string;
  yLabel: string;
  /** Probabilities that can approach zero read better on a log axis (drawn without bands: mean - std can be < 0). */
  logY?: boolean;
  /** Rates live in [0, 1]: their bands are cut there rather than drawn past what a rate can be. */
  rate?: boolean;
}

export const RUN_CHARTS: ChartSpec[] = [
  { file: 'chosen-lbar.svg', metric: 'eval_lbar/chosen', title: 'Chosen likelihood (held-out): unlearning shows as a fall', yLabel: 'chosen lbar (mean log-prob per token)' },
  { file: 'rejected-lbar.svg', metric: 'eval_lbar/rejected', title: 'Rejected likelihood (held-out)', yLabel: 'rejected lbar (mean log-prob per token)' },
  { file: 'format-valid.svg', metric: 'eval_format_valid_rate', title: 'Greedy answers in the template: formatting collapse shows as a fall', yLabel: 'format-valid rate', rate: true },
  { file: 'margin.svg', metric: 'eval_margin/lbar', title: 'Held-out margin lbar(chosen) - lbar(rejected)', yLabel: 'margin (nats per token)' },
  { file: 'answer-accuracy.svg', metric: 'eval_answer_accuracy', title: 'Greedy answer accuracy (held-out)', yLabel: 'answer accuracy', rate: true },
  { file: 'min-rejected-prob.svg', metric: 'eval_min_token_prob/rejected', title: 'Least likely rejected token (held-out), mean over seeds', yLabel: 'lowest rejected-token probability', logY: true },
];

// a log axis cannot show an exact zero (a probability that underflowed); it is drawn at this floor instead
const LOG_FLOOR = 1e-30;

function seriesFor(summary: Summary, spec: ChartSpec): ChartSeries[] {
  return summary.methods.map((m) => ({
    name: m.label,
    points: m.curves[spec.metric].map((p) => (spec.logY
      ? { x: p.step, y: Math.max(p.mean, LOG_FLOOR) }
      : { x: p.step, y: p.mean, lo: spec.rate ? Math.max(0, p.mean - p.std) : p.mean - p.std, hi: spec.rate ? Math.min(1, p.mean + p.std) : p.mean + p.std })),
  }));
}

/** Every chart of RUN_CHARTS as [spec, SVG text]; none when no method has finished. */
export async function renderRunCharts(summary: Summary): Promise<[ChartSpec, string][]> {
  if (summary.methods.length === 0) return [];
  const out: [ChartSpec, string][] = [];
  for (const spec of RUN_CHARTS) {
    const svg = await lineChart({ title: spec.title, xLabel: 'preference training step', yLabel: spec.yLabel, series: seriesFor(summary, spec), logY: spec.logY, width: 430, height: 260 });
    out.push([spec, svg]);
  }
  return out;
}
