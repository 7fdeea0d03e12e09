// The Markdown table: per case, each engine's median (min–max), then the ratio of each slimegrad engine to each
// peer. GFLOP/s ratios are speed ratios (> 1: slimegrad is faster); ms ratios are time ratios (< 1: slimegrad is faster).

import { summarize } from './stats.js';
import type { LossCheck } from './losses-agree.js';

export interface CaseResult {
  name: string;
  unit: 'GFLOP/s' | 'ms';
  byEngine: Record<string, number[]>;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function renderTable(
  cases: readonly CaseResult[],
  engines: readonly string[],
  checks: readonly LossCheck[],
): string {
  const ours = engines.filter((e) => e.startsWith('slimegrad'));
  const peers = engines.filter((e) => !e.startsWith('slimegrad'));
  const ratioCols = ours.flatMap((o) => peers.map((p) => [o, p] as const));
  const head = ['case', 'unit', ...engines, ...ratioCols.map(([o, p]) => `${o}/${p}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const c of cases) {
    const s = Object.fromEntries(engines.map((e) => [e, c.byEngine[e]?.length ? summarize(c.byEngine[e]) : null]));
    const cells = engines.map((e) => (s[e] ? `${fmt(s[e].median)} (${fmt(s[e].min)}–${fmt(s[e].max)})` : '—'));
    const ratios = ratioCols.map(([o, p]) => (s[o] && s[p] ? `${(s[o].median / s[p].median).toFixed(2)}x` : '—'));
    lines.push(`| ${c.name} | ${c.unit} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    'Ratios are slimegrad ÷ peer of the medians: for GFLOP/s higher is better for slimegrad, for ms lower is better.',
  );
  for (const ch of checks) {
    const worst = ch.worstRelDiff.map((w) => w.toExponential(1)).join(', ');
    lines.push(
      `Losses (${ch.bench}): ${ch.ok ? 'all engines agree' : 'MISMATCH'}; worst relative difference per step: ${worst}.`,
    );
  }
  return lines.join('\n');
}
