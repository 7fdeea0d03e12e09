// Plain-words observations, each computed from the summary's numbers (never written in advance): what happened to
// the chosen likelihood, the template, the rejected tokens and the answers, and where SLIME does and does not come
// out ahead of a baseline. A difference counts only when it exceeds the spread over seeds.

import type { EvalMetric, EvalMetrics } from '../train/evaluate.js';
import type { MethodSummary, Stat, Summary } from './summary.js';

const f3 = (x: number): string => x.toFixed(3);
const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const sci = (x: number): string => x.toExponential(1);

/** a is clearly above b: the gap is larger than both seed spreads together (and than `floor`). */
function clearlyAbove(a: Stat, b: Stat, floor = 0): boolean {
  return a.mean - b.mean > Math.max(floor, a.std + b.std);
}

/**
 * The smallest gap worth a word, per metric, so that single-seed runs do not report differences below what the
 * report prints: 0.01 in log-prob or rate units; for the lowest token probability, half of the smaller value.
 */
function floorFor(metric: EvalMetric, a: Stat, b: Stat): number {
  return metric === 'eval_min_token_prob/rejected' ? 0.5 * Math.min(a.mean, b.mean) : 0.01;
}

function above(metric: EvalMetric, a: MethodSummary, b: MethodSummary): boolean {
  return clearlyAbove(a.final[metric], b.final[metric], floorFor(metric, a.final[metric], b.final[metric]));
}

function list(methods: readonly MethodSummary[], metric: EvalMetric, show: (x: number) => string): string {
  return methods.map((m) => `${m.label} ${show(m.final[metric].mean)}`).join(', ');
}

const CHOSEN: EvalMetric = 'eval_lbar/chosen';
const FORMAT: EvalMetric = 'eval_format_valid_rate';
const ANSWER: EvalMetric = 'eval_answer_accuracy';
const MIN_P: EvalMetric = 'eval_min_token_prob/rejected';

/** The comparisons where SLIME is set against each other (non-ablation) method, in both directions. */
function slimeVersusBaselines(slime: MethodSummary, baselines: readonly MethodSummary[]): string[] {
  const metrics: [EvalMetric, string, (x: number) => string][] = [
    [CHOSEN, 'chosen lbar', f3],
    [FORMAT, 'format-valid rate', pct],
    [ANSWER, 'answer accuracy', pct],
    ['eval_preference_accuracy', 'preference accuracy', pct],
    ['eval_margin/lbar', 'held-out margin', f3],
  ];
  const out: string[] = [];
  for (const [metric, name, show] of metrics) {
    const ahead = baselines.filter((b) => above(metric, b, slime));
    const behind = baselines.filter((b) => above(metric, slime, b));
    const s = `SLIME ${show(slime.final[metric].mean)}`;
    if (ahead.length > 0)
      out.push(
        `SLIME does not come out ahead on ${name}: ` +
          `${ahead.map((b) => `${b.label} ${show(b.final[metric].mean)}`).join(', ')} vs ${s}.`,
      );
    const ties = baselines.filter((b) => !ahead.includes(b) && !behind.includes(b)).map((b) => b.label);
    const tieNote =
      ties.length > 0
        ? `; ${ties.join(', ')} ${ties.length === 1 ? 'is' : 'are'} within the seeds' spread of SLIME`
        : '';
    if (behind.length > 0)
      out.push(
        `SLIME beats ${behind.map((b) => b.label).join(', ')} on ${name} ` +
          `(${s} vs ${list(behind, metric, show)})${tieNote}.`,
      );
    else if (ahead.length === 0)
      out.push(`On ${name} SLIME (${show(slime.final[metric].mean)}) is within the seeds' spread of every baseline.`);
  }
  return out;
}

function ablationNotes(slime: MethodSummary, ablations: readonly MethodSummary[]): string[] {
  return ablations.map((a) => {
    const parts = (
      [
        [CHOSEN, 'chosen lbar', f3],
        [FORMAT, 'format-valid', pct],
        [ANSWER, 'answer acc.', pct],
        [MIN_P, 'lowest rejected-token p', sci],
      ] as const
    ).map(([metric, name, show]) => {
      const verdict = above(metric, a, slime)
        ? 'higher than'
        : above(metric, slime, a)
          ? 'lower than'
          : 'about the same as';
      return `${name} ${show(a.final[metric].mean)} (${verdict} full SLIME's ${show(slime.final[metric].mean)})`;
    });
    return `${a.label}: ${parts.join(', ')}.`;
  });
}

/** A fall of the chosen lbar this large (nats per token, about a 10% lower probability per token) is unlearning. */
const UNLEARNING_NATS = 0.1;

/** "<what> under: A in 2 of 3 seeds, B in 1 of 3; in no seed under: C, D." */
function pairedCounts(
  summary: Summary,
  methods: readonly MethodSummary[],
  what: string,
  happened: (after: EvalMetrics, before: EvalMetrics) => boolean,
): string {
  const checkpointOf = new Map(summary.checkpoint.perSeed.map((c) => [c.seed, c.metrics]));
  const counted = methods.map((m) => {
    const seeds = m.perSeed.filter((r) => checkpointOf.has(r.seed));
    return { m, hits: seeds.filter((r) => happened(r.final, checkpointOf.get(r.seed)!)).length, of: seeds.length };
  });
  const hit = counted.filter((x) => x.hits > 0).sort((a, b) => b.hits / b.of - a.hits / a.of);
  const never = counted.filter((x) => x.hits === 0).map((x) => x.m.label);
  const first = what[0].toUpperCase() + what.slice(1);
  if (hit.length === 0) return `${first}: in no seed, under any method.`;
  const under = hit.map((x) => `${x.m.label} in ${x.hits} of ${x.of} seed${x.of > 1 ? 's' : ''}`).join(', ');
  const unhit = never.length > 0 ? `; in no seed under ${never.join(', ')}` : '';
  return `${first} under ${under}${unhit}.`;
}

export function observe(summary: Summary): string[] {
  const c = summary.checkpoint.final;
  const methods = summary.methods;
  if (typeof summary.settings.evalOnly === 'string')
    return ['One checkpoint was evaluated (--eval-only): there are no methods to compare.'];
  if (methods.length === 0) return ['No method finished a run, so there is nothing to compare yet.'];
  const steps = methods[0].perSeed[0].steps;
  const seeds = methods[0].seeds.length;
  const main = methods.filter((m) => !m.name.startsWith('slime-'));
  const notes: string[] = [];

  // unlearning and formatting collapse, each seed paired with its own SFT checkpoint (seeds differ more than methods)
  const byChosen = [...main].sort((a, b) => b.final[CHOSEN].mean - a.final[CHOSEN].mean);
  notes.push(
    `Held-out chosen lbar (mean log-prob per chosen token) was ${f3(c[CHOSEN].mean)} at the SFT checkpoint; ` +
      `after ${steps} steps (mean of ${seeds} seed${seeds > 1 ? 's' : ''}): ${list(byChosen, CHOSEN, f3)}.`,
  );
  notes.push(
    pairedCounts(
      summary,
      main,
      "the chosen lbar fell more than 0.1 nats per token below its seed's SFT checkpoint (unlearning)",
      (after, before) => after[CHOSEN] < before[CHOSEN] - UNLEARNING_NATS,
    ),
  );
  const byFormat = [...main].sort((a, b) => b.final[FORMAT].mean - a.final[FORMAT].mean);
  notes.push(
    `Greedy answers to held-out prompts kept the template in ${pct(c[FORMAT].mean)} of cases at the checkpoint; ` +
      `after training: ${list(byFormat, FORMAT, pct)}.`,
  );
  notes.push(
    pairedCounts(
      summary,
      main,
      "formatting collapsed (format-valid rate under half its seed's checkpoint)",
      (after, before) => after[FORMAT] < before[FORMAT] / 2,
    ),
  );

  // the rejected tokens: does anything get pushed towards probability zero?
  const byFloor = [...main].sort((a, b) => a.final[MIN_P].mean - b.final[MIN_P].mean);
  notes.push(
    `The least likely rejected token had probability ${sci(c[MIN_P].mean)} at the checkpoint; ` +
      `after training: ${list(byFloor, MIN_P, sci)} (lowest first).`,
  );

  const byAnswer = [...main].sort((a, b) => b.final[ANSWER].mean - a.final[ANSWER].mean);
  notes.push(
    `Answer accuracy on held-out prompts was ${pct(c[ANSWER].mean)} at the checkpoint; ` +
      `after training: ${list(byAnswer, ANSWER, pct)}.`,
  );

  const slime = methods.find((m) => m.name === 'slime');
  const baselines = main.filter((m) => m.name !== 'slime');
  if (slime && baselines.length > 0) notes.push(...slimeVersusBaselines(slime, baselines));
  const ablations = methods.filter((m) => m.name.startsWith('slime-'));
  if (slime) notes.push(...ablationNotes(slime, ablations));
  if (seeds < 2)
    notes.push(
      'With a single seed there is no spread over seeds to judge noise by: ' +
        'every difference above is reported as it was measured.',
    );
  if (summary.interrupted)
    notes.push(
      'The run was interrupted: only runs that finished (on seeds every method finished, where there are any) ' +
        'are included above.',
    );
  return notes;
}
