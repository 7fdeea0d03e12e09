// What every training loop (trainSft, trainPreference) shares: the hooks a caller passes, and the error a loop
// throws when a step goes non-finite. One contract, so code written against one loop works with the other.

import type { MetricsRecord, MetricsSink } from './metrics.js';

/** Periodic evaluation: `run(step)` after every `every`-th step and after the last; its record is merged in. */
export interface EvaluateHook {
  every: number;
  /** `step` counts the steps done so far (1-based: 1 after the first step). */
  run: (step: number) => Promise<MetricsRecord> | MetricsRecord;
}

/** Hooks shared by every training loop. Steps are counted from 1 in records, callbacks and errors. */
export interface TrainingHooks {
  /** Where each step's record is logged. */
  metrics?: MetricsSink;
  evaluate?: EvaluateHook;
  /** Called after each step with the step's record (its `step` field is the 1-based step number). */
  onStep?: (record: MetricsRecord) => void;
  /** Checked before each step; true ends the run early (an interrupt), keeping what was logged. */
  shouldStop?: () => boolean;
}

/** Thrown when a step's loss or gradient norm is NaN or infinite; the parameters keep their values from before it. */
export class NonFiniteLossError extends Error {
  constructor(
    /** The loop that failed: 'trainSft' or 'trainPreference'. */
    readonly loop: string,
    /** The 1-based step that produced the non-finite value. */
    readonly step: number,
    /** What went non-finite, e.g. "non-finite loss" or "dpo produced a non-finite loss (NaN)". */
    what: string,
    /** The values at the time, e.g. the loss, gradient norm and learning rate. */
    detail?: string,
  ) {
    const values = detail === undefined ? '' : ` (${detail})`;
    super(`${loop}: ${what} at step ${step}${values}; the parameters were left as they were before this step`);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Lets pending events (a Ctrl-C handler, a worker's stop message) run between steps. `setImmediate` where the
 * runtime has it (Node: no 1 ms timer clamp), a zero timeout elsewhere (browsers and Web Workers have no setImmediate).
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
