// Adam/AdamW beyond the hand-worked example (written to kill the StrykerJS survivors in src/optim/adam.ts, see
// test/MUTATION.md): the composed update (backends without a fused adamUpdate) equals the fused CPU kernel step for
// step, the fused kernel is what the CPU uses, the option checks draw their lines where documented, and the default
// decay filter recognises embedding tables by name.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { randn, registerBackend, getBackend, type Tensor } from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import { Adam, AdamW, defaultDecayFilter, type Optimizer } from '../../src/optim/index.js';

const composed = new CpuBackend();
Object.defineProperty(composed, 'name', { value: 'cpu-no-fused-adam' });
Object.defineProperty(composed, 'adamUpdate', { value: undefined });
registerBackend(composed);

type Make = (params: [string, Tensor][]) => Optimizer;

/** Parameters after 4 steps with changing gradients, on the given backend. */
function run(backend: string, make: Make): number[][] {
  const params: [string, Tensor][] = [
    ['h.0.mlp.c_fc.weight', randn([3, 4], { seed: 1, dtype: 'float64', backend }).requireGrad()],
    ['h.0.mlp.c_fc.bias', randn([4], { seed: 2, dtype: 'float64', backend }).requireGrad()],
    ['transformer.wte.weight', randn([5, 3], { seed: 3, dtype: 'float64', backend }).requireGrad()],
  ];
  const opt = make(params);
  for (let step = 0; step < 4; step++) {
    params
      .map(([, p], i) => p.mul(randn(p.shape, { seed: 10 * step + i, dtype: 'float64', backend })).sum())
      .reduce((a, b) => a.add(b))
      .backward();
    opt.step();
    opt.zeroGrad();
  }
  return params.map(([, p]) => Array.from(p.dataSync()));
}

const worst = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i][j]))));

afterEach(() => vi.restoreAllMocks());

describe('Adam paths', () => {
  const makers: Record<string, Make> = {
    'AdamW (decoupled decay, filtered)': (p) =>
      new AdamW(p, { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.3 }),
    'Adam (L2 decay on everything)': (p) => new Adam(p, { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.3 }),
    'AdamW without decay': (p) => new AdamW(p, { lr: 0.05, weightDecay: 0 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: the composed update equals the fused kernel`, () => {
      const fused = run('cpu', make);
      const plain = run(composed.name, make);
      expect(worst(fused, plain)).toBeLessThan(1e-13);
      // and the steps moved something (the comparison is not between untouched parameters)
      expect(
        worst(
          fused,
          run('cpu', (p) => new AdamW(p, { lr: 0 })),
        ),
      ).toBeGreaterThan(1e-3);
    });
  }

  it('the CPU backend takes the fused kernel', () => {
    const cpu = getBackend('cpu');
    const spy = vi.spyOn(cpu, 'adamUpdate' as never);
    run('cpu', makers['AdamW (decoupled decay, filtered)']);
    expect(spy).toHaveBeenCalled();
  });

  it('option checks: betas in [0, 1), eps > 0, weightDecay >= 0, each error naming the optimizer', () => {
    const p = () => [randn([2, 2], { seed: 1 }).requireGrad()];
    expect(() => new Adam(p(), { lr: 1, betas: [-0.1, 0.9] })).toThrow(
      /^Adam: betas\[0\] must be in \[0, 1\), got -0.1/,
    );
    expect(() => new AdamW(p(), { lr: 1, betas: [0.9, 1] })).toThrow(/^AdamW: betas\[1\] must be in \[0, 1\), got 1/);
    expect(() => new Adam(p(), { lr: 1, betas: [0, 0] })).not.toThrow();
    expect(() => new Adam(p(), { lr: 1, eps: 0 })).toThrow(/^Adam: eps must be > 0, got 0/);
    expect(() => new Adam(p(), { lr: 1, eps: 1e-300 })).not.toThrow();
    expect(() => new AdamW(p(), { lr: 1, weightDecay: -1e-9 })).toThrow(/^AdamW: weightDecay must be >= 0/);
    expect(() => new AdamW(p(), { lr: 1, weightDecay: 0 })).not.toThrow();
    expect(new Adam(p(), { lr: 1 }).type).toBe('Adam');
  });

  it('the default decay filter: matrices decay, embedding tables (wte, wpe, *embed*) and vectors do not', () => {
    const matrix = randn([2, 2], { seed: 1 });
    const vector = randn([2], { seed: 1 });
    const exempt = [
      'wte.weight',
      'transformer.wpe.weight',
      'embed.weight',
      'enc.token_embed.weight',
      'bert.word_embeddings.weight',
      'x.tok_embedding.weight',
    ];
    for (const name of exempt) expect(defaultDecayFilter(name, matrix), name).toBe(false);
    const decayed = [
      'h.0.mlp.c_fc.weight',
      'xwte.weight',
      'wte.weight_g',
      'transformer.wte.weights',
      'embedder9.weight',
    ];
    for (const name of decayed) expect(defaultDecayFilter(name, matrix), name).toBe(true);
    expect(defaultDecayFilter('h.0.mlp.c_fc.weight', vector)).toBe(false);
  });
});
