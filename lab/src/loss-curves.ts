// The explorer's numbers: every value is slimegrad's own loss function evaluated, and differentiated by its
// autograd, on a one-pair batch built from the slider values. Nothing here restates a loss formula.
//
// A pair is `tokens` chosen and `tokens` rejected completion tokens, each side with every token at the same
// log-prob, so lbar (the mean per-token log-prob) is that value and the summed log-prob is tokens * lbar. The
// margin Delta = lbar(chosen) - lbar(rejected) is split evenly around a centre c: lbar(chosen) = c + Delta / 2,
// lbar(rejected) = c - Delta / 2. Losses that need a reference model get a reference that scores both completions
// at c, so the reference margin is 0 and their h equals the policy's margin (times `tokens` for summed log-probs).

import { losses, tensor, type Tensor } from '../../src/index.js';

/** Where the pair sits: the centre lbar and the completion length (both sides). */
export interface PairLayout {
  centre: number;
  tokens: number;
}

/** The loss of one pair and its derivatives with respect to each side's lbar. */
export interface LossPoint {
  margin: number;
  loss: number;
  /** d loss / d lbar(chosen): moving every chosen token's log-prob together. */
  gradChosen: number;
  gradRejected: number;
}

const row = (value: number, tokens: number): Tensor =>
  tensor([new Array<number>(tokens).fill(value)], { dtype: 'float64' });

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);

/** Evaluates `losses.getLoss(name).fn` at one margin and backpropagates to both sides' per-token log-probs. */
export function lossAt(
  name: string,
  config: Readonly<Record<string, number>>,
  margin: number,
  layout: PairLayout,
): LossPoint {
  const spec = losses.getLoss(name);
  const chosen = row(layout.centre + margin / 2, layout.tokens).requireGrad();
  const rejected = row(layout.centre - margin / 2, layout.tokens).requireGrad();
  const mask = row(1, layout.tokens);
  const reference = spec.needsReference
    ? { refChosenLogps: row(layout.centre, layout.tokens), refRejectedLogps: row(layout.centre, layout.tokens) }
    : {};
  const out = spec.fn(
    { chosenLogps: chosen, chosenMask: mask, rejectedLogps: rejected, rejectedMask: mask, ...reference },
    config,
  );
  out.loss.backward();
  // every token of a side moved together: the derivative in lbar is the sum over that side's tokens
  return {
    margin,
    loss: out.loss.dataSync()[0],
    gradChosen: chosen.grad ? sum(chosen.grad.dataSync()) : 0,
    gradRejected: rejected.grad ? sum(rejected.grad.dataSync()) : 0,
  };
}

/** `count` evenly spaced margins from lo to hi, inclusive. */
export function grid(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}

/** The loss and its two gradients across margins. */
export function lossCurve(
  name: string,
  config: Readonly<Record<string, number>>,
  margins: readonly number[],
  layout: PairLayout,
): LossPoint[] {
  return margins.map((m) => lossAt(name, config, m, layout));
}

/** SLIME's stabilizer for one rejected token at log-prob `logp`, and its derivative in that log-prob. */
export interface StabilizerPoint {
  logp: number;
  value: number;
  grad: number;
}

/**
 * SLIME's per-token stabilizer, read off losses.slime itself: with the anchor and margin weights at 0 the loss is
 * the stabilizer term alone, here for a rejected completion of one token.
 */
export function stabilizerAt(
  name: 'slime' | 'slime-script',
  config: Readonly<Record<string, number>>,
  logp: number,
): StabilizerPoint {
  const rejected = row(logp, 1).requireGrad();
  const mask = row(1, 1);
  const out = losses
    .getLoss(name)
    .fn(
      { chosenLogps: row(0, 1), chosenMask: mask, rejectedLogps: rejected, rejectedMask: mask },
      { ...config, lambdaW: 0, lambdaD: 0 },
    );
  out.loss.backward();
  return { logp, value: out.terms.stabilizer.dataSync()[0], grad: rejected.grad ? rejected.grad.dataSync()[0] : 0 };
}
