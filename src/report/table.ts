// The final table, as rows of formatted cells that the Markdown and HTML reports both render, so the two can never
// disagree. Each cell is "mean ± std" over seeds with a fixed number format per metric.

import type { EvalMetric } from '../train/evaluate.js';
import type { Stat, Summary } from './summary.js';

export interface Column {
  metric: EvalMetric;
  header: string;
  /** 'fixed' with `digits` decimals, or 'exp' (scientific, `digits` decimals in the mantissa). */
  style: 'fixed' | 'exp';
  digits: number;
}

export const TABLE_COLUMNS: Column[] = [
  { metric: 'eval_lbar/chosen', header: 'chosen lbar', style: 'fixed', digits: 3 },
  { metric: 'eval_sumlogp/chosen', header: 'chosen sum-l', style: 'fixed', digits: 2 },
  { metric: 'eval_lbar/rejected', header: 'rejected lbar', style: 'fixed', digits: 3 },
  { metric: 'eval_min_token_prob/rejected', header: 'lowest rejected-token p', style: 'exp', digits: 1 },
  { metric: 'eval_margin/lbar', header: 'margin (lbar)', style: 'fixed', digits: 3 },
  { metric: 'eval_preference_accuracy', header: 'preference acc.', style: 'fixed', digits: 3 },
  { metric: 'eval_format_valid_rate', header: 'format-valid', style: 'fixed', digits: 3 },
  { metric: 'eval_answer_accuracy', header: 'answer acc.', style: 'fixed', digits: 3 },
];

export function formatNumber(value: number, style: Column['style'], digits: number): string {
  return style === 'exp' ? value.toExponential(digits) : value.toFixed(digits);
}

export function formatStat(s: Stat, style: Column['style'], digits: number): string {
  return `${formatNumber(s.mean, style, digits)} ± ${formatNumber(s.std, style, digits)}`;
}

export interface TableRow {
  /** Method name (or 'checkpoint'), the key a reader of summary.json looks up. */
  key: string;
  label: string;
  cells: string[];
}

/** The SFT checkpoint row first (the starting point of every method), then one row per method. */
export function finalTable(summary: Summary): TableRow[] {
  const row = (key: string, label: string, stats: Record<EvalMetric, Stat>): TableRow => ({
    key,
    label,
    cells: TABLE_COLUMNS.map((c) => formatStat(stats[c.metric], c.style, c.digits)),
  });
  // with --eval-only the checkpoint is the scored model itself, not the start of training
  const evaluated = summary.settings.evalOnly;
  const label = typeof evaluated === 'string' ? `checkpoint ${evaluated} (evaluated)` : 'SFT checkpoint (start)';
  return [
    row('checkpoint', label, summary.checkpoint.final),
    ...summary.methods.map((m) => row(m.name, m.label, m.final)),
  ];
}

/** The training-side numbers under TRL names: loss, rewards/*, and each method's own loss terms. */
export function lossTermsTable(summary: Summary): TableRow[] {
  return summary.methods.map((m) => {
    const named = Object.keys(m.train)
      .filter((k) => k.startsWith('terms/'))
      .map((k) => `${k.slice(6)} ${formatStat(m.train[k], 'fixed', 4)}`);
    const cell = (k: string) => (m.train[k] ? formatStat(m.train[k], 'fixed', 4) : '-');
    return {
      key: m.name,
      label: m.label,
      cells: [cell('loss'), cell('rewards/margins'), cell('rewards/accuracies'), named.join('; ')],
    };
  });
}

export const LOSS_TERMS_HEADERS = ['loss', 'rewards/margins', 'rewards/accuracies', 'terms'];
