// Learning-rate schedules: functions from the step about to be taken (0-based) to a learning rate.

export type LrSchedule = (step: number) => number;

export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

export interface WarmupDecayOptions {
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Learning rate reached at totalSteps (default 0). */
  finalLr?: number;
}

function check(name: string, o: WarmupDecayOptions): void {
  if (!(o.warmupSteps >= 0 && o.totalSteps > o.warmupSteps)) {
    throw new Error(`${name}: need 0 <= warmupSteps < totalSteps, got warmupSteps ${o.warmupSteps}, totalSteps ${o.totalSteps}`);
  }
}

/** Linear warmup from 0 to peakLr over warmupSteps, then linear decay to finalLr at totalSteps (held after). */
export function linearWarmupDecay(o: WarmupDecayOptions): LrSchedule {
  check('linearWarmupDecay', o);
  const final = o.finalLr ?? 0;
  return (step) => {
    if (step < o.warmupSteps) return (o.peakLr * (step + 1)) / o.warmupSteps;
    const progress = Math.min(1, (step - o.warmupSteps) / (o.totalSteps - o.warmupSteps));
    return o.peakLr + (final - o.peakLr) * progress;
  };
}

/** Linear warmup, then half a cosine from peakLr down to finalLr at totalSteps (held after). */
export function cosineWithWarmup(o: WarmupDecayOptions): LrSchedule {
  check('cosineWithWarmup', o);
  const final = o.finalLr ?? 0;
  return (step) => {
    if (step < o.warmupSteps) return (o.peakLr * (step + 1)) / o.warmupSteps;
    const progress = Math.min(1, (step - o.warmupSteps) / (o.totalSteps - o.warmupSteps));
    return final + 0.5 * (o.peakLr - final) * (1 + Math.cos(Math.PI * progress));
  };
}
