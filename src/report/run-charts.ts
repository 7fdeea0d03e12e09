// The report's charts: one held-out metric against the training step, a line per method (mean over seeds) with a
// band of one standard deviation once there are enough seeds for it. The SFT checkpoint is step 0 of every line.

import { lineChart, type ChartSeries } from './charts.js';
import type { Summary } from './summary.js';
import { RUN_CHARTS, type ChartSpec } from './chart-specs.js';

export { RUN_CHARTS, type ChartSpec };

// a log axis cannot show an exact zero (a probability that underflowed); it is drawn at this floor instead
const LOG_FLOOR = 1e-30;

/** Seeds needed before a band of one standard deviation is drawn: with two, the spread is too rough to show. */
export const MIN_SEEDS_FOR_BANDS = 3;

function seriesFor(summary: Summary, spec: ChartSpec): ChartSeries[] {
  const banded = summary.checkpoint.perSeed.length >= MIN_SEEDS_FOR_BANDS;
  return summary.methods.map((m) => ({
    name: m.label,
    points: m.curves[spec.metric].map((p) => {
      if (spec.logY) return { x: p.step, y: Math.max(p.mean, LOG_FLOOR) };
      if (!banded) return { x: p.step, y: p.mean };
      return {
        x: p.step,
        y: p.mean,
        lo: spec.rate ? Math.max(0, p.mean - p.std) : p.mean - p.std,
        hi: spec.rate ? Math.min(1, p.mean + p.std) : p.mean + p.std,
      };
    }),
  }));
}

/** Every chart of RUN_CHARTS as [spec, SVG text]; none when no method has finished. */
export async function renderRunCharts(summary: Summary): Promise<[ChartSpec, string][]> {
  if (summary.methods.length === 0) return [];
  const out: [ChartSpec, string][] = [];
  for (const spec of RUN_CHARTS) {
    const svg = await lineChart({
      title: spec.title,
      xLabel: 'preference training step',
      yLabel: spec.yLabel,
      series: seriesFor(summary, spec),
      logY: spec.logY,
      yDomain: spec.rate ? [0, 1] : undefined,
      width: 560,
      height: 260,
    });
    out.push([spec, svg]);
  }
  return out;
}
