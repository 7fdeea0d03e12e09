// defineOpSuite(backendName, opts): runs every case of OP_CASES (test/ops/cases.ts) on one backend.
// Per case, as properties over random shapes/values/params:
//   - forward equals the naive reference (float32 always; float64 too when the backend holds it)
//   - float32 forward on the backend agrees with the float64 CPU oracle
//   - float32 backward (a vjp with a fixed cotangent) on the backend agrees with the float64 CPU backward
//   - with finite differences on (CPU): gradcheck in float64, and gradgradcheck for `gradgrad` cases
// Reads go through `await t.data()`, so the suite works on backends without synchronous reads.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DType, Tensor } from '../../src/index.js';
import { getBackend, gradcheck, gradgradcheck, tensor, tidy, vjp } from '../../src/index.js';
import { OP_CASES, type OpCase, type OpSample } from './cases.js';
import { prng } from './arbitraries.js';
import type { Flat } from './reference.js';

export interface SuiteOptions {
  /** Case names to leave out, e.g. ops a backend does not implement yet (say so in its report). */
  skip?: readonly string[];
  /** When given, only the cases with these op names run. */
  ops?: readonly string[];
  forwardRuns?: number;
  gradRuns?: number;
  gradgradRuns?: number;
  /** gradcheck/gradgradcheck need float64 on the CPU; default: on when backendName is 'cpu'. */
  finiteDifferences?: boolean;
  /** Multiplies every case's float32 tolerance (GPU transcendentals are less exact than V8's); default 1. */
  toleranceScale?: number;
}

interface Built {
  floats: Tensor[];
  ints: Tensor[];
}

function build(s: OpSample, dtype: DType, backend: string): Built {
  return {
    floats: s.floats.map((f) => tensor(f.values, { shape: f.shape, dtype, backend })),
    ints: s.ints.map((f) => tensor(f.values, { shape: f.shape, dtype: 'int32', backend })),
  };
}

async function read(t: Tensor): Promise<Flat> {
  const values = Array.from(await t.data());
  t.dispose();
  return { shape: [...t.shape], values };
}

/** Elementwise |a - e| <= tol * (1 + |e|), shapes equal, NaN only where NaN is expected. */
export function expectClose(what: string, actual: Flat, expected: Flat, tol: number): void {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`${what}: shape [${actual.shape}] but expected [${expected.shape}]`);
  }
  actual.values.forEach((a, i) => {
    const e = expected.values[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tol * (1 + Math.abs(e));
    if (!ok) throw new Error(`${what}: element ${i} is ${a}, expected ${e} (tol ${tol}) shape [${actual.shape}]`);
  });
}

function forward(c: OpCase, s: OpSample, dtype: DType, backend: string): Tensor {
  return tidy(() => {
    const { floats, ints } = build(s, dtype, backend);
    return c.run(floats, ints, s.params);
  });
}

/** The vjp of the case's op with a cotangent fixed by `seed`: one gradient per float input. */
function backward(c: OpCase, s: OpSample, dtype: DType, backend: string, seed: number): Tensor[] {
  return tidy(() => {
    const { floats, ints } = build(s, dtype, backend);
    const [out, pullback] = vjp((...xs) => c.run(xs, ints, s.params), floats);
    const rnd = prng(seed);
    const cotangent = tensor(
      Array.from({ length: out.size }, () => rnd() * 2 - 1),
      { shape: out.shape, dtype, backend },
    );
    return pullback(cotangent);
  });
}

export function defineOpSuite(backendName: string, opts: SuiteOptions = {}): void {
  const { skip = [], ops, forwardRuns = 30, gradRuns = 25, gradgradRuns = 10, toleranceScale = 1 } = opts;
  const finiteDifferences = opts.finiteDifferences ?? backendName === 'cpu';

  describe(`ops on ${backendName}`, () => {
    for (const c of OP_CASES.filter((k) => !skip.includes(k.name) && (!ops || ops.includes(k.op)))) {
      describe(c.name, () => {
        const tol32 = (c.tol32 ?? 3e-5) * toleranceScale;
        const reference = c.reference;
        if (reference) {
          it('forward matches the naive reference', async () => {
            const has64 = getBackend(backendName).dtypes.includes('float64');
            await fc.assert(
              fc.asyncProperty(c.sample, async (s) => {
                const expected = reference(s.floats, s.ints, s.params);
                expectClose('float32 forward', await read(forward(c, s, 'float32', backendName)), expected, tol32);
                if (has64)
                  expectClose('float64 forward', await read(forward(c, s, 'float64', backendName)), expected, 1e-9);
              }),
              { numRuns: forwardRuns },
            );
          });
        }

        it('float32 forward agrees with the float64 cpu oracle', async () => {
          await fc.assert(
            fc.asyncProperty(c.sample, async (s) => {
              const oracle = await read(forward(c, s, 'float64', 'cpu'));
              expectClose('float32 vs float64', await read(forward(c, s, 'float32', backendName)), oracle, tol32);
            }),
            { numRuns: forwardRuns },
          );
        });

        if (!c.differentiable) return;

        it('float32 backward agrees with the float64 cpu backward', async () => {
          await fc.assert(
            fc.asyncProperty(c.sample, fc.integer(), async (s, seed) => {
              const oracle = await Promise.all(backward(c, s, 'float64', 'cpu', seed).map(read));
              const grads = await Promise.all(backward(c, s, 'float32', backendName, seed).map(read));
              grads.forEach((g, i) => expectClose(`gradient of input ${i}`, g, oracle[i], 30 * tol32));
            }),
            { numRuns: gradRuns },
          );
        });

        if (!finiteDifferences) return;

        const check = (which: typeof gradcheck, name: string, numRuns: number): void => {
          it(`${name} passes (float64, finite differences)`, () => {
            fc.assert(
              fc.property(c.sample, (s) => {
                const result = tidy(() => {
                  const { floats, ints } = build(s, 'float64', 'cpu');
                  return which((...xs) => c.run(xs, ints, s.params), floats);
                });
                expect(result.ok, result.message).toBe(true);
              }),
              { numRuns },
            );
          });
        };
        check(gradcheck, 'gradcheck', gradRuns);
        if (c.gradgrad) check(gradgradcheck, 'gradgradcheck', gradgradRuns);
      });
    }
  });
}
