// optim: optimizers, gradient clipping and learning-rate schedules.

export { Optimizer, type OptimizerState, type ParamsInput, type StepOptions } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, defaultDecayFilter, type AdamOptions, type AdamWOptions } from './adam.js';
export { type ClipStats, clipGradNorm, clipGradScale, clipStats, gradNorm } from './clip.js';
export {
  constantLr,
  linearWarmupDecay,
  cosineWithWarmup,
  type LrSchedule,
  type WarmupDecayOptions,
} from './schedule.js';
