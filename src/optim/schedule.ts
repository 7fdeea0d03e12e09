// Learning-rate schedules: functions from the step about to be taken (0-based) to a learning rate.

/** The learning rate for a 0-based step. */
export type LrSchedule = (step: number) => number;

/** The same learning rate at every step. */
export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

/** A schedule that warms up linearly to peakLr over warmupSteps, then decays until totalSteps. */
export interface WarmupDecayOptions {
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Learning rate reached at totalSteps (default 0). */
  finalLr?: number;
}

function check(name: string, o: WarmupDecayOptions): void {
  if (!(o.warmupSteps >= 0 && o.totalSteps > o.warmupSteps)) {
    throw new Error(
      `${name}: need 0 <= warmupSteps < totalSteps, got warmupSteps ${o.warmupSteps}, totalSteps ${o.totalSteps}`,
    );
  }
}

/** Linear warmup from 0 to peakLr over warmupSteps, then linear decay to finalLr at totalSteps (held after). */
export function linearWarmupDecay(o: WarmupDecayOptions): LrSchedule {
  check('linearWarmupDecay', o);
  const final = o.finalLr ?? 0;
  return warmupThen(o, (progress) => o.peakLr + (final - o.peakLr) * progress);
}

/** Linear warmup, then half a cosine from peakLr down to finalLr at totalSteps (held after). */
export function cosineWithWarmup(o: WarmupDecayOptions): LrSchedule {
  check('cosineWithWarmup', o);
  const final = o.finalLr ?? 0;
  return warmupThen(o, (progress) => final + 0.5 * (o.peakLr - final) * (1 + Math.cos(Math.PI * progress)));
}

/** Linear warmup to peakLr, then `decay(progress)` with progress going 0 -> 1 over the remaining steps (held at 1). */
function warmupThen(o: WarmupDecayOptions, decay: (progress: number) => number): LrSchedule {
  return (step) => {
    if (step < o.warmupSteps) return (o.peakLr * (step + 1)) / o.warmupSteps;
    return decay(Math.min(1, (step - o.warmupSteps) / (o.totalSteps - o.warmupSteps)));
  };
}
