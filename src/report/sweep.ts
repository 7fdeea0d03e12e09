// The learning-rate sweep (--sweep-lr): every method at every rate from the same SFT checkpoints and data order.
// Its report section puts each method's final held-out figures against the rate, and says in plain words at which
// rates a method kept both its chosen likelihood and its answer template, the two things a preference loss can break.

import type { EvalMetric } from '../train/evaluate.js';
import { lineChart } from './charts.js';
import type { MethodSummary, Summary } from './summary.js';

/** A run keeps the chosen likelihood when its final chosen lbar is no more than this below the checkpoint's. */
export const UNLEARNING_TOLERANCE = 0.1;
/** A run keeps the template when its format-valid rate is at least this fraction of the checkpoint's. */
export const FORMAT_KEPT = 0.9;

/** The final figures a sweep compares across rates: the likelihood, the template, the task. */
export const SWEEP_METRICS: { metric: EvalMetric; title: string; yLabel: string; rate?: boolean }[] = [
  {
    metric: 'eval_lbar/chosen',
    title: 'Final chosen likelihood against the learning rate',
    yLabel: 'chosen lbar (nats/token)',
  },
  {
    metric: 'eval_format_valid_rate',
    title: 'Final format-valid rate against the learning rate',
    yLabel: 'format-valid rate',
    rate: true,
  },
  {
    metric: 'eval_answer_accuracy',
    title: 'Final answer accuracy against the learning rate',
    yLabel: 'answer accuracy',
    rate: true,
  },
];

/** One method's runs across the sweep's rates. */
export interface SweepMethod {
  method: string;
  label: string;
  /** One entry per rate, ascending. */
  points: { lr: number; run: MethodSummary }[];
}

/** The sweep's runs grouped by method (in the order methods were given); empty when the run was not a sweep. */
export function sweepByMethod(summary: Summary): SweepMethod[] {
  const groups = new Map<string, SweepMethod>();
  for (const m of summary.methods) {
    if (m.method === undefined || m.lr === undefined) continue;
    const group = groups.get(m.method) ?? { method: m.method, label: m.label.replace(/ @ lr .*$/, ''), points: [] };
    group.points.push({ lr: m.lr, run: m });
    groups.set(m.method, group);
  }
  for (const g of groups.values()) g.points.sort((a, b) => a.lr - b.lr);
  return [...groups.values()];
}

/** The rates at which a method kept both its chosen likelihood and the template, judged against the checkpoint. */
export function soundRates(group: SweepMethod, summary: Summary): number[] {
  const chosen = summary.checkpoint.final['eval_lbar/chosen'].mean;
  const format = summary.checkpoint.final.eval_format_valid_rate.mean;
  return group.points
    .filter(
      ({ run }) =>
        run.final['eval_lbar/chosen'].mean >= chosen - UNLEARNING_TOLERANCE &&
        run.final.eval_format_valid_rate.mean >= FORMAT_KEPT * format,
    )
    .map((p) => p.lr);
}

/** One plain sentence per method: robust across the rates, sound only in a band, or at none. */
export function sweepFindings(summary: Summary): string[] {
  return sweepByMethod(summary).map((g) => {
    const ok = soundRates(g, summary);
    const all = g.points.map((p) => p.lr);
    const best = g.points.reduce((a, b) =>
      b.run.final.eval_answer_accuracy.mean > a.run.final.eval_answer_accuracy.mean ? b : a,
    );
    const bestPct = (best.run.final.eval_answer_accuracy.mean * 100).toFixed(0);
    const accuracy = `best answer accuracy ${bestPct}% at lr ${best.lr}`;
    if (ok.length === all.length)
      return (
        `${g.label}: robust — kept its chosen likelihood and the template at every rate tried ` +
        `(${all.join(', ')}); ${accuracy}.`
      );
    if (ok.length === 0)
      return `${g.label}: at no rate tried did it keep both its chosen likelihood and the template; ${accuracy}.`;
    return (
      `${g.label}: kept its chosen likelihood and the template only at lr ${ok.join(', ')} ` +
      `(of ${all.join(', ')}); ${accuracy}.`
    );
  });
}

/** The sweep's charts (a line per method, the rate on a log axis) as [title, SVG]. */
export async function renderSweepCharts(summary: Summary): Promise<[string, string][]> {
  const groups = sweepByMethod(summary);
  if (groups.length === 0) return [];
  const out: [string, string][] = [];
  for (const spec of SWEEP_METRICS) {
    const series = groups.map((g) => ({
      name: g.label,
      points: g.points.map((p) => ({ x: p.lr, y: p.run.final[spec.metric].mean })),
    }));
    out.push([
      spec.title,
      await lineChart({
        title: spec.title,
        xLabel: 'preference learning rate (log axis)',
        yLabel: spec.yLabel,
        series,
        logX: true,
        yDomain: spec.rate ? [0, 1] : undefined,
        width: 560,
        height: 260,
      }),
    ]);
  }
  return out;
}

/**
 * The methods of a sweep at one rate (labels without the rate), for the per-step charts;
 * the summary unchanged otherwise.
 */
export function atOneRate(summary: Summary): { summary: Summary; lr: number | null } {
  const rates = [...new Set(summary.methods.map((m) => m.lr).filter((r): r is number => r !== undefined))].sort(
    (a, b) => a - b,
  );
  if (rates.length === 0) return { summary, lr: null };
  const lr = rates[Math.floor((rates.length - 1) / 2)];
  const methods = summary.methods
    .filter((m) => m.lr === lr)
    .map((m) => ({ ...m, label: m.label.replace(/ @ lr .*$/, '') }));
  return { summary: { ...summary, methods }, lr };
}
