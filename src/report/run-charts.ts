// The report's charts: one held-out metric against the training step, a line per method (mean over seeds) with a
// band of one standard deviation. The SFT checkpoint is step 0 of every line.

import { lineChart, type ChartSeries } from './charts.js';
import type { Summary } from './summary.js';
import { RUN_CHARTS, type ChartSpec } from './chart-specs.js';

export { RUN_CHARTS, type ChartSpec };

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
