// Hinge loss on the reference margin (SLiC-style): ReLU(1 - beta h), zero once beta h >= 1.

import { resolveConfig, positive } from './config.js';
import { assemble, pairStats, referenceMargin, standardMetrics } from './pairs.js';
import { referenceRewards } from './rewards.js';
import type { LossConfig, LossOutput, PreferenceInputs } from './types.js';

export interface HingeConfig {
  beta?: number;
}

export const HINGE_DEFAULTS = { beta: 0.1 } as const;

export function hinge(inputs: PreferenceInputs, config?: HingeConfig & LossConfig): LossOutput {
  const c = resolveConfig('hinge', HINGE_DEFAULTS, { beta: positive }, config);
  const s = pairStats('hinge', inputs, true);
  const perPair = referenceMargin(s, 'sum').mul(-c.beta).add(1).relu();
  const [rw, rl] = referenceRewards(s, 'sum', c.beta);
  return assemble({ preference: perPair.mean() }, (terms) => standardMetrics(s, 'sum', rw, rl, terms));
}
