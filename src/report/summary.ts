// From the raw results of a showcase run (one record per method and seed) to the machine-readable summary:
// every figure as mean and standard deviation over seeds, curves per method, and the per-seed numbers behind them.

import type { EvalMetric, EvalMetrics, GenerationSample } from '../train/evaluate.js';
import { EVAL_METRICS } from '../train/evaluate.js';

export interface CurvePoint {
  step: number;
  metrics: EvalMetrics;
}

/** One method trained from one seed's SFT checkpoint. */
export interface RunRecord {
  method: string;
  seed: number;
  /** Steps actually done (fewer than planned when the run was interrupted). */
  steps: number;
  complete: boolean;
  /** Held-out metrics at step 0 (the checkpoint) and every eval interval. */
  curve: CurvePoint[];
  /** Mean of each logged training metric (loss, terms/*, rewards/*, ...) over the last eval interval. */
  train: Record<string, number>;
  samples: GenerationSample[];
  seconds: number;
}

export interface CheckpointRecord {
  seed: number;
  sftSteps: number;
  sftSeconds: number;
  /** SFT loss (token-mean NLL of the chosen completions) at the last step. */
  sftLoss: number;
  metrics: EvalMetrics;
  samples: GenerationSample[];
}

export interface MethodInfo {
  name: string;
  label: string;
  description: string;
  /** In a learning-rate sweep (--sweep-lr): the method this run variant belongs to, and its rate. */
  method?: string;
  lr?: number;
}

export interface RunResults {
  settings: Record<string, unknown>;
  task: {
    kind: 'addition' | 'file';
    description: string;
    trainPairs: number;
    heldOutPairs: number;
    generationPrompts: number;
  };
  methods: MethodInfo[];
  checkpoints: CheckpointRecord[];
  runs: RunRecord[];
  interrupted: boolean;
  wallSeconds: number;
}

export interface Stat {
  mean: number;
  /** Sample standard deviation over seeds (0 for a single seed). */
  std: number;
  n: number;
}

export interface MethodSummary extends MethodInfo {
  seeds: number[];
  final: Record<EvalMetric, Stat>;
  train: Record<string, Stat>;
  curves: Record<EvalMetric, { step: number; mean: number; std: number }[]>;
  perSeed: { seed: number; steps: number; final: EvalMetrics; train: Record<string, number> }[];
  /** Seed 0's (or the first seed's) greedy answers after training, next to the checkpoint's answers. */
  samples: { prompt: string; before: string; after: string; afterFormatValid: boolean; afterCorrect: boolean }[];
}

export interface Summary {
  settings: Record<string, unknown>;
  task: RunResults['task'];
  interrupted: boolean;
  wallSeconds: number;
  checkpoint: {
    final: Record<EvalMetric, Stat>;
    perSeed: { seed: number; sftSteps: number; sftSeconds: number; sftLoss: number; metrics: EvalMetrics }[];
  };
  methods: MethodSummary[];
  observations: string[];
}

export function stat(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

function statsOf(records: readonly Record<string, number>[], keys: readonly string[]): Record<string, Stat> {
  return Object.fromEntries(keys.map((k) => [k, stat(records.map((r) => r[k]).filter((v) => v !== undefined))]));
}

/** Curves over seeds, at the steps every seed reached (an interrupted seed shortens the curve, never skews it). */
function curvesOf(runs: readonly RunRecord[]): MethodSummary['curves'] {
  const steps = runs.map((r) => new Set(r.curve.map((p) => p.step)));
  const shared = runs[0].curve.map((p) => p.step).filter((s) => steps.every((set) => set.has(s)));
  const curves = {} as MethodSummary['curves'];
  for (const metric of EVAL_METRICS) {
    curves[metric] = shared.map((step) => {
      const s = stat(runs.map((r) => r.curve.find((p) => p.step === step)!.metrics[metric]));
      return { step, mean: s.mean, std: s.std };
    });
  }
  return curves;
}

/**
 * Seeds every method finished: an interrupted run is compared on those only, so that no method's mean rests on
 * seeds the others lack. When no seed is complete, each method keeps whatever runs it finished.
 */
function comparableSeeds(results: RunResults): Set<number> | null {
  const seeds = results.checkpoints.map((c) => c.seed);
  const complete = seeds.filter((seed) =>
    results.methods.every((m) => results.runs.some((r) => r.method === m.name && r.seed === seed && r.complete)),
  );
  return complete.length > 0 ? new Set(complete) : null;
}

/** Aggregates complete runs only; the observations are filled in by observations.ts. */
export function summarize(results: RunResults): Summary {
  const seeds = comparableSeeds(results);
  const checkpoints = results.checkpoints.filter((c) => !seeds || seeds.has(c.seed));
  const checkpointStats = statsOf(
    checkpoints.map((c) => c.metrics),
    EVAL_METRICS,
  ) as Record<EvalMetric, Stat>;
  const methods: MethodSummary[] = [];
  for (const info of results.methods) {
    const runs = results.runs
      .filter((r) => r.method === info.name && r.complete && (!seeds || seeds.has(r.seed)))
      .sort((a, b) => a.seed - b.seed);
    if (runs.length === 0) continue;
    const finals = runs.map((r) => r.curve[r.curve.length - 1].metrics);
    const trainKeys = [...new Set(runs.flatMap((r) => Object.keys(r.train)))].sort();
    const first = runs[0];
    const before = results.checkpoints.find((c) => c.seed === first.seed);
    methods.push({
      ...info,
      seeds: runs.map((r) => r.seed),
      final: statsOf(finals, EVAL_METRICS) as Record<EvalMetric, Stat>,
      train: statsOf(
        runs.map((r) => r.train),
        trainKeys,
      ),
      curves: curvesOf(runs),
      perSeed: runs.map((r, i) => ({ seed: r.seed, steps: r.steps, final: finals[i], train: r.train })),
      samples: first.samples.map((s, i) => ({
        prompt: s.prompt,
        before: before?.samples[i]?.completion ?? '',
        after: s.completion,
        afterFormatValid: s.formatValid,
        afterCorrect: s.correct,
      })),
    });
  }
  return {
    settings: results.settings,
    task: results.task,
    interrupted: results.interrupted,
    wallSeconds: results.wallSeconds,
    checkpoint: {
      final: checkpointStats,
      perSeed: checkpoints.map(({ seed, sftSteps, sftSeconds, sftLoss, metrics }) => ({
        seed,
        sftSteps,
        sftSeconds,
        sftLoss,
        metrics,
      })),
    },
    methods,
    observations: [],
  };
}
