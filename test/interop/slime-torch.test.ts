// interop/trl/slime_loss.py (the SLIME loss for PyTorch/TRL) against losses.slime and losses.slimeScript: the same
// random float64 batches through both, loss and gradients w.r.t. the per-token log-probs equal to 1e-6. Runs the
// system Python (/usr/bin/python3, Debian's python3-torch; .ci/run installs it). No torch is a failure, not a skip.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { grad, losses, tensor, type Tensor } from '../../src/index.js';
import { uniformArray } from '../../src/random.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./slime_parity.py', import.meta.url));
const TOLERANCE = 1e-6;

interface Batch {
  preset: 'paper' | 'script';
  chosen: number[][];
  chosenMask: number[][];
  rejected: number[][];
  rejectedMask: number[][];
}

interface TorchResult {
  loss: number;
  terms: Record<string, number>;
  gradChosen: number[][];
  gradRejected: number[][];
}

/** Rows x cols log-probs in [low, high] and a 0/1 mask with at least one 1 per row, from seeded uniforms. */
function side(
  rows: number,
  cols: number,
  low: number,
  high: number,
  seed: number,
): { values: number[][]; mask: number[][] } {
  const u = uniformArray(rows * cols * 2, seed);
  const grid = (cell: (r: number, c: number) => number): number[][] =>
    Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => cell(r, c)));
  const values = grid((r, c) => low + (high - low) * u[r * cols + c]);
  const mask = grid((r, c) => (c === 0 || u[rows * cols + r * cols + c] < 0.7 ? 1 : 0));
  return { values, mask };
}

/**
 * Batches of 1 to 5 pairs and 1 to 7 tokens per side. The log-prob ranges put pairs on every piece of the loss:
 * gap below m_soft (margin and gate both active), gap past m_hard (margin exactly 0), and rejected tokens far
 * below -delta (the stabilizer's floor pushing).
 */
function batches(preset: Batch['preset']): Batch[] {
  // [chosen low, chosen high, rejected low, rejected high]
  const ranges: Array<[number, number, number, number]> = [
    [-3, -0.1, -3, -0.1],
    [-0.5, -0.01, -6, -3],
    [-8, -2, -1, -0.01],
    [-12, -0.01, -12, -0.01],
  ];
  const out: Batch[] = [];
  for (let i = 0; i < 24; i++) {
    const [wl, wh, ll, lh] = ranges[i % ranges.length];
    const b = 1 + (i % 5);
    const c = side(b, 1 + (i % 7), wl, wh, 100 * i + (preset === 'paper' ? 1 : 2));
    const r = side(b, 1 + ((i * 3) % 7), ll, lh, 100 * i + (preset === 'paper' ? 51 : 52));
    out.push({ preset, chosen: c.values, chosenMask: c.mask, rejected: r.values, rejectedMask: r.mask });
  }
  return out;
}

interface TorchRun {
  torch: string;
  results: TorchResult[];
  presets: Record<string, Record<string, number>>;
  refusals: Array<string | null>;
}

function runTorch(input: Batch[]): TorchRun {
  const run = spawnSync(PYTHON, ['-B', SCRIPT], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (run.error) throw new Error(`cannot run ${PYTHON}: ${run.error.message} (CI installs python3-torch; see .ci/run)`);
  if (run.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} exited with ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as TorchRun;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
  return Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));
}

const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('SLIME for PyTorch (interop/trl) equals losses.slime, float64', () => {
  it('has the same presets and refuses the same configs', () => {
    const { presets, refusals } = runTorch([]);
    const asSnake = (preset: Record<string, number>) =>
      Object.fromEntries(Object.entries(preset).map(([k, v]) => [snakeCase(k), v]));
    expect(presets).toEqual({ paper: asSnake(losses.SLIME_DEFAULTS), script: asSnake(losses.SLIME_SCRIPT_PRESET) });
    // lambda_w < 0, p = 0, kappa < 0, an unknown (camelCase) key: refused on both sides; delta may be negative
    expect(refusals.map((r) => r !== null)).toEqual([true, true, true, true, false]);
    expect(refusals[3]).toContain("unknown config key 'lambdaW'");
    const inputs = {
      chosenLogps: tensor([[-1]]),
      chosenMask: tensor([[1]]),
      rejectedLogps: tensor([[-2]]),
      rejectedMask: tensor([[1]]),
    };
    const bads: Array<Record<string, number>> = [{ lambdaW: -1 }, { p: 0 }, { kappa: -0.5 }, { lambda_w: 1 }];
    for (const bad of bads) expect(() => losses.slime(inputs, bad)).toThrow();
    expect(() => losses.slime(inputs, { delta: -3 })).not.toThrow();
  });

  for (const preset of ['paper', 'script'] as const) {
    it(`${preset} preset: loss and gradients w.r.t. the log-probs agree to ${TOLERANCE}`, () => {
      const input = batches(preset);
      const { torch: version, results } = runTorch(input);
      expect(results).toHaveLength(input.length);
      const lossFn = preset === 'paper' ? losses.slime : losses.slimeScript;
      const worst = { loss: 0, grad: 0 };
      let marginZero = 0;
      input.forEach((b, i) => {
        const f64 = (rows: number[][]): Tensor => tensor(rows, { dtype: 'float64' });
        const run = (chosen: Tensor, rejected: Tensor) =>
          lossFn({
            chosenLogps: chosen,
            chosenMask: f64(b.chosenMask),
            rejectedLogps: rejected,
            rejectedMask: f64(b.rejectedMask),
          });
        const f = (chosen: Tensor, rejected: Tensor): Tensor => run(chosen, rejected).loss;
        const ours = run(f64(b.chosen), f64(b.rejected));
        const [gw, gl] = grad(f, [0, 1])(f64(b.chosen), f64(b.rejected)).map((g) => g.arraySync() as number[][]);
        const t = results[i];
        worst.loss = Math.max(worst.loss, Math.abs(ours.loss.itemSync() - t.loss));
        for (const name of ['anchor', 'stabilizer', 'margin']) {
          worst.loss = Math.max(worst.loss, Math.abs(ours.terms[name].itemSync() - t.terms[name]));
        }
        worst.grad = Math.max(worst.grad, maxAbsDiff(gw, t.gradChosen), maxAbsDiff(gl, t.gradRejected));
        if (t.terms.margin === 0) marginZero++;
      });
      const figures = `max |loss diff| ${worst.loss.toExponential(2)}, max |grad diff| ${worst.grad.toExponential(2)}`;
      console.log(`torch ${version}, ${preset}: ${figures}`);
      // the batches must reach both sides of the hard margin, or the relu's cut-off would go untested
      expect(marginZero).toBeGreaterThan(0);
      expect(marginZero).toBeLessThan(input.length);
      expect(worst.loss).toBeLessThan(TOLERANCE);
      expect(worst.grad).toBeLessThan(TOLERANCE);
    });
  }
});
