// What the report's charts show, shared by the static report (rendered to SVG with vega-lite) and the lab page
// (drawn live with uPlot): the metric, title and axis label of each chart, and one colour-blind-safe palette.
// Plain data only, so a browser bundle can import it without pulling in a chart renderer.

import type { EvalMetric } from '../train/evaluate.js';

/** One chart of a run: a held-out metric against the preference training step. */
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

/** Titles read "what: why it matters"; the report draws the part after ': ' as a subtitle. */
export const RUN_CHARTS: ChartSpec[] = [
  {
    file: 'chosen-lbar.svg',
    metric: 'eval_lbar/chosen',
    title: 'Chosen likelihood (held-out): unlearning shows as a fall',
    yLabel: 'chosen lbar (nats/token)',
  },
  {
    file: 'rejected-lbar.svg',
    metric: 'eval_lbar/rejected',
    title: 'Rejected likelihood (held-out): how far the rejected answer is pushed down',
    yLabel: 'rejected lbar (nats/token)',
  },
  {
    file: 'format-valid.svg',
    metric: 'eval_format_valid_rate',
    title: 'Greedy answers in the template: formatting collapse shows as a fall',
    yLabel: 'format-valid rate',
    rate: true,
  },
  {
    file: 'margin.svg',
    metric: 'eval_margin/lbar',
    title: 'Held-out margin: lbar(chosen) - lbar(rejected)',
    yLabel: 'margin (nats/token)',
  },
  {
    file: 'answer-accuracy.svg',
    metric: 'eval_answer_accuracy',
    title: 'Greedy answer accuracy (held-out): the task itself',
    yLabel: 'answer accuracy',
    rate: true,
  },
  {
    file: 'min-rejected-prob.svg',
    metric: 'eval_min_token_prob/rejected',
    title: 'Least likely rejected token (held-out): a fall towards 0 is crushing',
    yLabel: 'lowest rejected-token p',
    logY: true,
  },
];

/**
 * Okabe and Ito's colour-blind-safe palette without its yellow (too pale on white for a thin line), in the order
 * methods are drawn; a method past the seventh reuses a colour, and charts add a dash pattern to tell them apart.
 */
export const PALETTE = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7'] as const;

/**
 * Dash patterns (stroke, gap in px) cycled alongside PALETTE, so lines differ by more than hue alone; three against
 * PALETTE's seven make every pair of similar hues (orange and vermillion, the two blues) differ in dash too.
 */
export const DASHES: readonly (readonly number[])[] = [[], [8, 4], [2, 3]];

/** The colour and dash of the i-th series. */
export function seriesStyle(i: number): { color: string; dash: readonly number[] } {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length] };
}
