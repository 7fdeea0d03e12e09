// Words for the explorer: what each loss's shape does, and the range each hyperparameter's slider covers.

/** A plain-words caption per registry loss: what the curve shows and why it matters for training. */
export const CAPTIONS: Record<string, string> = {
  sft: 'SFT ignores the rejected answer: its gradient only ever raises the chosen completion, at the same rate whatever the margin. It is the control every preference loss is measured against.',
  dpo: 'DPO is a logistic loss on the reference margin. It never reaches zero: even a pair it already ranks far apart keeps a small push, so it keeps widening margins, and the easiest way to widen them is often to lower both completions, the chosen one included. Label smoothing (cDPO) makes the loss turn back up for very large margins.',
  robust:
    'Robust DPO subtracts the flipped-label loss and rescales, so with label smoothing the push at large margins goes negative: it stops trusting pairs it ranks "too" confidently, which cancels label noise on average.',
  hinge:
    'The hinge (SLiC) pushes with constant force until beta times the reference margin reaches 1, then stops dead: pairs past the hinge contribute nothing.',
  ipo: 'IPO is a squared loss around a target margin 1/(2 beta): below it, the gradient pushes the margin up; above it, pulls it back down. It is the one loss here that actively shrinks margins that grew too large.',
  simpo:
    'SimPO needs no reference and works on mean per-token log-probs. Gamma shifts the sigmoid: the loss keeps pushing hard until beta times the margin is well past gamma, so a larger gamma keeps it pushing at margins where DPO would already have eased off.',
  'simpo-trl':
    "The same SimPO with TRL's values (beta 0.1, gamma 0.5): the target margin gamma/beta is 5 nats per token, so within any reachable margin the push never fades.",
  cpo: "CPO adds the chosen completion's NLL (weight alpha) to a reference-free logistic margin on summed log-probs: the chosen side always feels an upward pull, even when the margin is already large.",
  cpoSimpo:
    'CPO-SimPO is SimPO plus alpha times the chosen NLL (what the SLIME paper ran as SimPO). The NLL term keeps the chosen gradient from fading to zero at large margins.',
  orpo: 'ORPO is SFT plus beta times a log odds-ratio term: the NLL keeps the chosen answer likely, while the odds term gently separates the rejected one. Its push depends on the absolute log-probs too (move the centre), not just the margin.',
  slime:
    'SLIME has three parts. The anchor keeps raising the chosen completion (a constant pull, lambda_w). The margin term pushes hard below m_s, its gate fades it smoothly past m_s, and it is exactly zero once the margin reaches m_h, so SLIME stops separating pairs that are separated enough. The stabilizer (bottom chart) is a floor: it lifts rejected tokens that fall far below -delta, instead of crushing them towards zero probability.',
  'slime-script':
    "SLIME with the authors' training-script values: the same shape, but a 200x weaker stabilizer (lambda_l 0.0005), so the floor on rejected tokens is nearly off.",
  kto: "KTO scores each completion on its own against a baseline z0 (here the pair's mean reward, floored at 0): a sigmoid that saturates both ways, so very well or very badly ranked completions stop contributing.",
};

/** Slider range and step per hyperparameter name (shared by every loss that has the key). */
export const RANGES: Record<string, { min: number; max: number; step: number; label: string }> = {
  beta: { min: 0.01, max: 5, step: 0.01, label: 'beta (inverse temperature)' },
  gamma: { min: -2, max: 5, step: 0.05, label: 'gamma (target reward margin)' },
  alpha: { min: 0, max: 3, step: 0.05, label: 'alpha (weight of the chosen NLL)' },
  labelSmoothing: { min: 0, max: 0.49, step: 0.01, label: 'label smoothing eps (assumed flip rate)' },
  lambdaW: { min: 0, max: 2, step: 0.01, label: 'lambda_w (anchor weight)' },
  lambdaL: { min: 0, max: 1, step: 0.0005, label: 'lambda_l (stabilizer weight)' },
  lambdaD: { min: 0, max: 3, step: 0.05, label: 'lambda_d (margin weight)' },
  delta: { min: -1, max: 5, step: 0.05, label: 'delta (floor: -delta nats)' },
  mHard: { min: 0, max: 4, step: 0.05, label: 'm_h (hard margin, nats/token)' },
  mSoft: { min: 0, max: 4, step: 0.05, label: 'm_s (soft margin, gate midpoint)' },
  kappa: { min: 0, max: 10, step: 0.1, label: 'kappa (gate steepness)' },
  p: { min: 0.5, max: 4, step: 0.1, label: 'p (stabilizer exponent)' },
  lambdaU: { min: 0, max: 3, step: 0.05, label: 'lambda_U (undesirable weight)' },
};
