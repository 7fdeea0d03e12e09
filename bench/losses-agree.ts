// Checks that every engine computed the same training trajectory: the first loss (a pure forward pass) to float32
// rounding, later losses (after optimizer updates, where float32 differences compound) more loosely.

export interface LossCheck {
  bench: string;
  ok: boolean;
  /** Largest relative difference of any engine's loss from slimegrad's, per step. */
  worstRelDiff: number[];
  losses: Record<string, number[]>;
}

const FIRST_TOL = 1e-4;
const LATER_TOL = 5e-3;

export function checkLosses(bench: string, runs: Map<string, number[]>): LossCheck {
  const ref = runs.get('slimegrad');
  const losses = Object.fromEntries(runs);
  if (!ref) return { bench, ok: false, worstRelDiff: [], losses };
  const worst = ref.map((r, step) => {
    let w = 0;
    for (const l of runs.values()) w = Math.max(w, Math.abs(l[step] - r) / Math.abs(r));
    return w;
  });
  const ok = worst.every((w, step) => Number.isFinite(w) && w <= (step === 0 ? FIRST_TOL : LATER_TOL));
  return { bench, ok, worstRelDiff: worst, losses };
}
