// trainingOrder and trainPreference pinned piece by piece (issue 12, mutation testing), on a tiny model: the
// shuffle against a Fisher-Yates written out here, the argument and reference checks with their messages, what the
// method's loss receives, the record's fields, the hooks' schedule, the non-finite path, and that no step leaks.

import { describe, expect, it, vi } from 'vitest';
import { Rng, memory } from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { ReferenceCache, dpo, simpo, type PreferenceInputs } from '../../src/losses/index.js';
import {
  trainPreference,
  trainingOrder,
  type PreferenceMethod,
  type PreferenceTrainOptions,
} from '../../src/train/preference.js';
import type { TokenPair } from '../../src/data/preference-pairs.js';
import { MemoryMetrics, type MetricsRecord } from '../../src/train/metrics.js';
import { NonFiniteLossError } from '../../src/train/loop.js';

const cfg: GPTConfig = { vocabSize: 7, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const PAD = 6;
const pairs: TokenPair[] = [
  { prompt: [0, 1], chosen: [2, 3], rejected: [4] },
  { prompt: [0], chosen: [5, 2, 1], rejected: [3, 3] },
  { prompt: [0, 2, 2], chosen: [1], rejected: [5, 4] },
];
const simpoMethod: PreferenceMethod = { name: 'simpo', needsReference: false, loss: (x) => simpo(x) };

function options(model: GPT, extra: Partial<PreferenceTrainOptions> = {}): PreferenceTrainOptions {
  return {
    model,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    method: simpoMethod,
    pairs,
    order: [0, 1, 2, 0, 1, 2],
    batchSize: 2,
    steps: 3,
    padId: PAD,
    gradClip: 1,
    ...extra,
  };
}

describe('trainingOrder', () => {
  /** Fisher-Yates from the last position down, j = seed mod (i + 1), one new pass whenever the last one ran out. */
  function expected(n: number, count: number, seed: number): number[] {
    const rng = new Rng(seed);
    const out: number[] = [];
    while (out.length < count) {
      const pass = [...Array(n).keys()];
      for (let i = n - 1; i >= 1; i--) {
        const j = rng.nextSeed() % (i + 1);
        const t = pass[i];
        pass[i] = pass[j];
        pass[j] = t;
      }
      out.push(...pass);
    }
    return out.slice(0, count);
  }

  it('is whole shuffled passes, cut to count, from the seed', () => {
    const order = trainingOrder(5, 12, 3);
    expect(order).toEqual(expected(5, 12, 3));
    expect(order).toHaveLength(12);
    for (const start of [0, 5]) expect([...order.slice(start, start + 5)].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(order.slice(0, 5)).not.toEqual(order.slice(5, 10)); // each pass is shuffled afresh
    expect(trainingOrder(5, 12, 4)).not.toEqual(order);
    expect(trainingOrder(2, 4, 9)).toEqual(expected(2, 4, 9));
    expect(trainingOrder(4, 0, 1)).toEqual([]);
    expect(trainingOrder(1, 3, 1)).toEqual([0, 0, 0]);
  });
});

describe('trainPreference', () => {
  it('needs steps x batchSize indices in the order (exactly that many will do)', async () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    await expect(trainPreference(options(model, { order: [0, 1, 2, 0, 1] }))).rejects.toThrow(
      'trainPreference: the order has 5 indices, fewer than steps x batchSize = 6',
    );
    expect(await trainPreference(options(model))).toHaveLength(3);
  });

  it('a method that needs a reference fails without one; one that does not never runs the reference', async () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const needing: PreferenceMethod = { name: 'dpo', needsReference: true, loss: (x) => dpo(x) };
    await expect(trainPreference(options(model, { method: needing }))).rejects.toThrow(
      "trainPreference: method 'dpo' needs a reference model, and none was given",
    );
    const refModel = new GPT(cfg, { seed: 2, dtype: 'float64' });
    const forward = vi.spyOn(refModel, 'forward');
    const cache = new ReferenceCache();
    const seen: PreferenceInputs[] = [];
    const method: PreferenceMethod = {
      ...simpoMethod,
      loss: (x) => {
        seen.push(x);
        return simpo(x);
      },
    };
    await trainPreference(options(model, { method, reference: { model: refModel, cache } }));
    expect(forward).not.toHaveBeenCalled();
    expect(cache.size).toBe(0);
    expect(seen.every((x) => x.refChosenLogps === undefined)).toBe(true);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`hands the loss this batch's chosen and rejected halves, masks in the model's dtype (${dtype})`, async () => {
      const model = new GPT(cfg, { seed: 1, dtype });
      const seen: { shapes: number[][]; dtypes: string[]; chosen: number[]; rejected: number[] }[] = [];
      const method: PreferenceMethod = {
        ...simpoMethod,
        loss: (x) => {
          const ts = [x.chosenLogps, x.chosenMask, x.rejectedLogps, x.rejectedMask];
          const sum = (m: Tensor) => Array.from(m.dataSync()).reduce((s, v) => s + v, 0);
          const perRow = (m: Tensor) => [0, 1].map((b) => sum(m.slice([b], [b + 1])));
          seen.push({
            shapes: ts.map((t) => [...t.shape]),
            dtypes: [x.chosenMask.dtype, x.rejectedMask.dtype],
            chosen: perRow(x.chosenMask),
            rejected: perRow(x.rejectedMask),
          });
          return simpo(x);
        },
      };
      await trainPreference(options(model, { method, order: [2, 0, 1, 2, 0, 1], steps: 2 }));
      expect(seen.map((s) => s.dtypes)).toEqual([
        [dtype, dtype],
        [dtype, dtype],
      ]);
      // completion lengths (mask sums) of pairs 2, 0 then 1, 2: chosen and rejected in their own halves
      expect(seen.map((s) => [s.chosen, s.rejected])).toEqual([
        [
          [1, 2],
          [2, 1],
        ],
        [
          [3, 1],
          [2, 2],
        ],
      ]);
      for (const s of seen) expect(new Set(s.shapes.map((sh) => sh.join()))).toHaveProperty('size', 1);
    });
  }

  it('records tags, phase, step, lr, loss, grad_norm and every metric; the schedule sets the lr per step', async () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const metricsSeen: Record<string, number>[] = [];
    const method: PreferenceMethod = {
      ...simpoMethod,
      loss: (x) => {
        const out = simpo(x);
        metricsSeen.push(Object.fromEntries(Object.entries(out.metrics).map(([k, t]) => [k, t.dataSync()[0]])));
        return out;
      },
    };
    const sink = new MemoryMetrics();
    const onStep: MetricsRecord[] = [];
    const log = await trainPreference(
      options(model, {
        method,
        tags: { method: 'simpo', seed: 4, phase: 'tag', step: -1 },
        schedule: (s) => 0.01 * (s + 1),
        metrics: sink,
        onStep: (r) => onStep.push(r),
      }),
    );
    expect(log.map((r) => [r.phase, r.step, r.learning_rate, r.method, r.seed])).toEqual([
      ['preference', 1, 0.01, 'simpo', 4],
      ['preference', 2, 0.02, 'simpo', 4],
      ['preference', 3, 0.03, 'simpo', 4],
    ]);
    log.forEach((r, i) => {
      expect(Object.keys(metricsSeen[i]).length).toBeGreaterThan(3);
      for (const [k, v] of Object.entries(metricsSeen[i])) expect(r[k], k).toBe(v);
      expect(r.loss).toBeTypeOf('number');
      expect(r.grad_norm as number).toBeGreaterThan(0);
    });
    expect(sink.records).toEqual(log);
    expect(onStep).toEqual(log);
    // without a schedule the optimizer's lr stays
    const plain = await trainPreference(options(new GPT(cfg, { seed: 1, dtype: 'float64' })));
    expect(plain.map((r) => r.learning_rate)).toEqual([0.1, 0.1, 0.1]);
  });

  it('evaluates every `every` steps and after the last; shouldStop ends the run before a step', async () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const run = vi.fn((step: number) => ({ eval_x: step * 10 }));
    const log = await trainPreference(
      options(model, { order: trainingOrder(3, 10, 1), steps: 5, evaluate: { every: 2, run } }),
    );
    expect(run.mock.calls).toEqual([[2], [4], [5]]);
    expect(log.map((r) => r.eval_x)).toEqual([undefined, 20, undefined, 40, 50]);
    let asked = 0;
    const stopped = await trainPreference(options(model, { shouldStop: () => ++asked > 1 }));
    expect(stopped).toHaveLength(1);
    expect(asked).toBe(2);
  });

  it('trains in training mode whatever the mode before, and lets pending events run before each step', async () => {
    const model = new GPT({ ...cfg, dropout: 0.5 }, { seed: 1, dtype: 'float64' });
    model.eval();
    const seen: boolean[] = [];
    const forward = model.forward.bind(model);
    vi.spyOn(model, 'forward').mockImplementation((ids, opts) => {
      seen.push(model.training);
      return forward(ids, opts);
    });
    await trainPreference(options(model, { steps: 1 }));
    expect(seen).toEqual([true]);
    let stop = false;
    setImmediate(() => {
      stop = true;
    });
    expect(await trainPreference(options(model, { shouldStop: () => stop }))).toEqual([]);
  });

  it('a non-finite loss stops the run at its step, names the method, clears the grads and leaks nothing', async () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const params = model.parameters();
    let calls = 0;
    const method: PreferenceMethod = {
      name: 'broken',
      needsReference: false,
      loss: (x) => {
        const out = simpo(x);
        return ++calls === 2 ? { ...out, loss: out.loss.mul(Number.NaN) } : out;
      },
    };
    const o = options(model, { method });
    await trainPreference({ ...o, steps: 1 }); // a first step: the optimizer and the graph are warm
    calls = 0;
    const before = params.map((p) => Array.from(p.dataSync()));
    const live = memory().tensors;
    const error = await trainPreference(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(
      /^trainPreference: broken produced a non-finite loss \(NaN\) at step 2; the parameters were left/,
    );
    expect(params.every((p) => p.grad === null)).toBe(true);
    // the first step of this run moved the parameters, the second did not
    const afterFirst = params.map((p) => Array.from(p.dataSync()));
    expect(afterFirst).not.toEqual(before);
    expect(memory().tensors).toBe(live);
  });

  it('with a reference model and a filled cache, every step leaves the live tensor count as it was', async () => {
    const model = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const reference = { model: new GPT(cfg, { seed: 2, dtype: 'float64' }), cache: new ReferenceCache() };
    const method: PreferenceMethod = { name: 'dpo', needsReference: true, loss: (x) => dpo(x) };
    const live: number[] = [];
    await trainPreference(
      options(model, {
        method,
        reference,
        order: [0, 1, 2, 0, 1, 2, 2, 0, 1, 0],
        batchSize: 3,
        steps: 3,
        gradClip: 1e-3,
        onStep: () => live.push(memory().tensors),
      }),
    );
    expect(reference.cache.size).toBe(3);
    expect(new Set(live).size).toBe(1);
  });
});
