// Per-pair rewards as TRL reports them: beta * (logp - ref) for reference losses, beta * logp for reference-free.

import type { Tensor } from '../tensor.js';
import { pick, type PairStats } from './pairs.js';
import type { LogpKind } from './types.js';

export function referenceRewards(s: PairStats, kind: LogpKind, beta: number): [Tensor, Tensor] {
  if (!s.refChosen || !s.refRejected) throw new Error('referenceRewards: reference log-probs were not prepared');
  return [
    pick(s.chosen, kind).sub(pick(s.refChosen, kind)).mul(beta),
    pick(s.rejected, kind).sub(pick(s.refRejected, kind)).mul(beta),
  ];
}

export function policyRewards(s: PairStats, kind: LogpKind, beta: number): [Tensor, Tensor] {
  return [pick(s.chosen, kind).mul(beta), pick(s.rejected, kind).mul(beta)];
}
