// Finite-difference gradient checking in float64 on the CPU: the analytic gradient (from backward rules) is compared
// element by element with central differences; the report names the worst element.

import { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { fmt } from '../shape.js';
import { normalArray } from '../random.js';
import { grad } from './functional.js';
import { noGrad } from './graph.js';
import { keep, tidy } from '../memory.js';

/**
 * Tolerances of gradcheck: a value passes when |analytic - numeric| <= atol + rtol |numeric|; eps is the
 * finite-difference step.
 */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random cotangent used when f returns a non-scalar. */
  seed?: number;
}

/** The outcome of gradcheck: ok, the largest errors, the worst entry and a readable message. */
export interface GradcheckResult {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  message: string;
}

type Fn = (...xs: Tensor[]) => Tensor;

/**
 * A scalar version of f: non-scalar outputs are contracted with a fixed random cotangent (a vector-Jacobian check).
 * The cotangent outlives the tidy scopes of single evaluations, so the caller releases it when done.
 */
function scalarize(f: Fn, seed: number): [Fn, () => void] {
  let cotangent: Tensor | null = null;
  const fn: Fn = (...xs: Tensor[]) => {
    const y = f(...xs);
    if (y.size === 1) return y.reshape([]);
    if (!cotangent || cotangent.size !== y.size) {
      cotangent?.dispose();
      cotangent = keep(tensor(normalArray(y.size, seed), { shape: y.shape, dtype: 'float64' }));
    }
    return y.mul(cotangent).sum();
  };
  return [fn, () => cotangent?.dispose()];
}

function check64(inputs: Tensor[]): void {
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor) || x.dtype !== 'float64' || x.backend.name !== 'cpu') {
      const got = x instanceof Tensor ? `${fmt(x.shape)} ${x.dtype} on ${x.backend.name}` : typeof x;
      throw new Error(
        `gradcheck: input ${i} must be a float64 tensor on the cpu backend ` +
          `(finite differences need it), got ${got}`,
      );
    }
  });
}

/** Compares grad(f) at `inputs` with central differences. */
export function gradcheck(f: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  check64(inputs);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = opts;
  const [g, release] = scalarize(f, seed);
  try {
    return compare(g, inputs, eps, atol, rtol);
  } finally {
    release();
  }
}

function compare(g: Fn, inputs: Tensor[], eps: number, atol: number, rtol: number): GradcheckResult {
  const analytic = tidy(() =>
    grad(
      g,
      inputs.map((_, i) => i),
    )(...inputs).map((t) => t.dataSync()),
  );
  const evalAt = (values: Float64Array[]): number =>
    tidy(() =>
      noGrad(() => g(...values.map((v, i) => tensor(v, { shape: inputs[i].shape, dtype: 'float64' }))).itemSync()),
    );
  const base = inputs.map((x) => x.dataSync() as Float64Array);
  let maxAbs = 0;
  let maxRel = 0;
  let ok = true;
  let worst: GradcheckResult['worst'] = null;
  let worstScore = -1;
  for (let i = 0; i < inputs.length; i++) {
    for (let j = 0; j < base[i].length; j++) {
      const orig = base[i][j];
      base[i][j] = orig + eps;
      const plus = evalAt(base);
      base[i][j] = orig - eps;
      const minus = evalAt(base);
      base[i][j] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i][j];
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(numeric), 1e-12);
      const bad = !(abs <= atol + rtol * Math.abs(numeric));
      if (bad) ok = false;
      maxAbs = Math.max(maxAbs, Number.isNaN(abs) ? Infinity : abs);
      maxRel = Math.max(maxRel, Number.isNaN(rel) ? Infinity : rel);
      // the element that most exceeds its tolerance is the one worth reporting
      const score = Number.isNaN(abs) ? Infinity : abs / (atol + rtol * Math.abs(numeric));
      if (score > worstScore) {
        worstScore = score;
        worst = { input: i, index: j, analytic: a, numeric };
      }
    }
  }
  const where = worst
    ? `input ${worst.input} ${fmt(inputs[worst.input].shape)} flat index ${worst.index}: ` +
      `analytic ${worst.analytic}, numeric ${worst.numeric}`
    : 'no elements';
  const message = ok
    ? `gradcheck passed (max abs error ${maxAbs.toExponential(2)}, max rel error ${maxRel.toExponential(2)})`
    : `gradcheck FAILED: worst at ${where} (atol ${atol}, rtol ${rtol}; max abs error ${maxAbs.toExponential(2)})`;
  return { ok, maxAbsError: maxAbs, maxRelError: maxRel, worst, message };
}

/** Checks second-order gradients: gradcheck of x -> <grad f(x), v> for a fixed random v. */
export function gradgradcheck(f: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  check64(inputs);
  const [g, release] = scalarize(f, opts.seed ?? 0);
  const directions = inputs.map((x, i) =>
    keep(tensor(normalArray(x.size, (opts.seed ?? 0) + 1000 + i), { shape: x.shape, dtype: 'float64' })),
  );
  const firstOrder: Fn = (...xs) => {
    const gs = grad(
      g,
      xs.map((_, i) => i),
    )(...xs);
    return gs.map((gi, i) => gi.mul(directions[i]).sum()).reduce((p, q) => p.add(q));
  };
  try {
    const result = gradcheck(firstOrder, inputs, { atol: 1e-4, rtol: 1e-3, ...opts });
    return { ...result, message: result.message.replace('gradcheck', 'gradgradcheck') };
  } finally {
    release();
    for (const d of directions) d.dispose();
  }
}
