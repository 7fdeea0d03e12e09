// SGD's option checks, state slots and kernel choice, and the shared Optimizer rules (parameter list, gradScale,
// loadState's checks, dispose), each with its full message. Written against the StrykerJS survivors of
// src/optim/sgd.ts and src/optim/optimizer.ts (test/MUTATION.md).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { getBackend, memory, randn, registerBackend, tensor, type Tensor } from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import { Optimizer, SGD, type OptimizerState } from '../../src/optim/index.js';

const other = new CpuBackend();
Object.defineProperty(other, 'name', { value: 'cpu-other-for-optim' });
registerBackend(other);

const param = (seed = 1, shape = [2, 2]) => randn(shape, { seed, dtype: 'float64' }).requireGrad();

function stepOnce(params: Tensor[], opt: Optimizer): void {
  params
    .map((p) => p.square().sum())
    .reduce((a, b) => a.add(b))
    .backward();
  opt.step();
  opt.zeroGrad();
}

afterEach(() => vi.restoreAllMocks());

describe('SGD', () => {
  it('momentum in [0, 1) and weightDecay >= 0, each refused with its value', () => {
    for (const momentum of [-0.1, 1, Number.NaN]) {
      expect(() => new SGD([param()], { lr: 0.1, momentum })).toThrow(
        `SGD: momentum must be in [0, 1), got ${momentum}`,
      );
    }
    expect(() => new SGD([param()], { lr: 0.1, momentum: 0 })).not.toThrow();
    expect(() => new SGD([param()], { lr: 0.1, momentum: 0.999 })).not.toThrow();
    for (const weightDecay of [-1e-9, Number.NaN]) {
      expect(() => new SGD([param()], { lr: 0.1, weightDecay })).toThrow(
        `SGD: weightDecay must be >= 0, got ${weightDecay}`,
      );
    }
    expect(() => new SGD([param()], { lr: 0.1, weightDecay: 0 })).not.toThrow();
  });

  it('keeps a momentum buffer per parameter only with momentum, on the fused and the composed path', () => {
    for (const backend of ['cpu', 'cpu-composed-sgd-rules']) {
      if (backend !== 'cpu') {
        const composed = new CpuBackend();
        Object.defineProperty(composed, 'name', { value: backend });
        Object.defineProperty(composed, 'sgdUpdate', { value: undefined });
        registerBackend(composed);
      }
      const p = () => randn([2, 2], { seed: 1, dtype: 'float64', backend }).requireGrad();
      const plain = new SGD([['w', p()]], { lr: 0.1, weightDecay: 0.1 });
      stepOnce(
        plain.params.map(([, t]) => t),
        plain,
      );
      expect([...plain.state().tensors.keys()], backend).toEqual([]);
      const heavy = new SGD([['w', p()]], { lr: 0.1, momentum: 0.9 });
      stepOnce(
        heavy.params.map(([, t]) => t),
        heavy,
      );
      expect([...heavy.state().tensors.keys()], backend).toEqual(['momentum_buffer.w']);
    }
  });

  it('the CPU takes the fused sgdUpdate kernel', () => {
    const spy = vi.spyOn(getBackend('cpu'), 'sgdUpdate' as never);
    const w = param();
    stepOnce([w], new SGD([w], { lr: 0.1, momentum: 0.5 }));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('loadState: without momentum no slot is accepted; with it the buffer is required after a step', () => {
    const w = param();
    const plain = new SGD([['w', w]], { lr: 0.1 });
    const buffer = new Map([
      [
        'momentum_buffer.w',
        tensor(
          [
            [0, 0],
            [0, 0],
          ],
          { dtype: 'float64' },
        ),
      ],
    ]);
    expect(() => plain.loadState({ type: 'SGD', step: 3, lr: 0.1, tensors: buffer })).toThrow(
      "SGD.loadState: state tensor 'momentum_buffer.w' is not a slot of SGD (its slots: none)",
    );
    plain.loadState({ type: 'SGD', step: 3, lr: 0.2, tensors: new Map() });
    expect([plain.stepCount, plain.lr]).toEqual([3, 0.2]);
    const heavy = new SGD([['w', w]], { lr: 0.1, momentum: 0.9 });
    expect(() => heavy.loadState({ type: 'SGD', step: 3, lr: 0.1, tensors: new Map() })).toThrow(
      'SGD.loadState: the state is at step 3 but holds no momentum_buffer tensors',
    );
    heavy.loadState({ type: 'SGD', step: 0, lr: 0.1, tensors: new Map() });
    heavy.loadState({ type: 'SGD', step: 3, lr: 0.1, tensors: buffer });
    expect(heavy.stepCount).toBe(3);
  });
});

/** An optimizer with three slots, to see how loadState lists several missing ones. */
class ThreeSlots extends Optimizer {
  constructor(params: [string, Tensor][]) {
    super('ThreeSlots', params, 0.1);
  }
  protected stateSlots(): readonly string[] {
    return ['a', 'b', 'c'];
  }
  protected update(name: string, p: Tensor): void {
    for (const s of ['a', 'b', 'c']) this.slot(s, name, p).assign(p);
  }
}

describe('Optimizer rules', () => {
  it('a parameter list: not empty, names unique, float only', () => {
    expect(() => new SGD([], { lr: 0.1 })).toThrow('SGD: no parameters to optimize');
    expect(
      () =>
        new SGD(
          [
            ['w', param()],
            ['w', param(2)],
          ],
          { lr: 0.1 },
        ),
    ).toThrow("SGD: parameter name 'w' appears twice");
    expect(() => new SGD([['ids', tensor(Int32Array.from([1, 2]), { shape: [2] })]], { lr: 0.1 })).toThrow(
      "SGD: parameter 'ids' [2] is int32; only float tensors can be optimized",
    );
    expect(new SGD([param(), param(2)], { lr: 0.1 }).params.map(([n]) => n)).toEqual(['param.0', 'param.1']);
  });

  it('gradScale: alive, one element, of the parameters’ dtype and backend', () => {
    const w = param();
    const opt = new SGD([w], { lr: 0.1 });
    const gone = tensor([1], { dtype: 'float64' });
    gone.dispose();
    expect(() => opt.step({ gradScale: gone })).toThrow(/^SGD\.step: tensor #\d+ \[1\] float64 was disposed/);
    expect(() => opt.step({ gradScale: tensor([1], { dtype: 'float64', backend: 'cpu-other-for-optim' }) })).toThrow(
      'SGD.step: gradScale must be one float64 element on cpu, got [1] float64 on cpu-other-for-optim',
    );
    expect(() => opt.step({ gradScale: tensor([1], { dtype: 'float32' }) })).toThrow(
      'SGD.step: gradScale must be one float64 element on cpu, got [1] float32 on cpu',
    );
    expect(() => opt.step({ gradScale: tensor([1, 1], { dtype: 'float64' }) })).toThrow(/got \[2\] float64 on cpu/);
    expect(opt.stepCount).toBe(0);
  });

  it('loadState: step an integer >= 0, keys "<slot>.<param>", tensors of the parameter’s shape and dtype', () => {
    const w = param();
    const opt = new ThreeSlots([['w', w]]);
    const like = (shape = [2, 2], dtype: 'float64' | 'float32' = 'float64') =>
      tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(0), { shape, dtype });
    const state = (step: number, tensors: [string, Tensor][]): OptimizerState => ({
      type: 'ThreeSlots',
      step,
      lr: 0.1,
      tensors: new Map(tensors),
    });
    for (const step of [-1, 1.5]) {
      expect(() => opt.loadState(state(step, []))).toThrow(
        `ThreeSlots.loadState: step must be an integer >= 0, got ${step}`,
      );
    }
    opt.loadState(state(0, []));
    expect(() => opt.loadState(state(1, [['aw', like()]]))).toThrow(
      "ThreeSlots.loadState: state tensor 'aw' belongs to no parameter of this optimizer",
    );
    // a key without a dot is no slot of any parameter, even when it is a parameter's name
    expect(() => opt.loadState(state(1, [['w', like()]]))).toThrow(
      "ThreeSlots.loadState: state tensor 'w' belongs to no parameter of this optimizer",
    );
    expect(() => opt.loadState(state(1, [['a.v', like()]]))).toThrow(
      "ThreeSlots.loadState: state tensor 'a.v' belongs to no parameter of this optimizer",
    );
    expect(() => opt.loadState(state(1, [['.w', like()]]))).toThrow(
      "ThreeSlots.loadState: state tensor '.w' is not a slot of ThreeSlots (its slots: a, b, c)",
    );
    expect(() => opt.loadState(state(1, [['a.w', like([4])]]))).toThrow(
      "ThreeSlots.loadState: state tensor 'a.w' is [4] float64, its parameter is [2,2] float64",
    );
    expect(() => opt.loadState(state(1, [['a.w', like([2, 2], 'float32')]]))).toThrow(
      "ThreeSlots.loadState: state tensor 'a.w' is [2,2] float32, its parameter is [2,2] float64",
    );
    expect(() => opt.loadState(state(1, [['a.w', like()]]))).toThrow(
      "ThreeSlots.loadState: the state of parameter 'w' lacks 'b.w', 'c.w'; an incomplete state would restart " +
        'those at zero and distort the next steps',
    );
    expect(() => opt.loadState({ ...state(1, []), type: 'SGD' })).toThrow(
      'ThreeSlots.loadState: the state was saved by SGD',
    );
  });

  it('dispose frees the state tensors', () => {
    const w = param();
    const opt = new ThreeSlots([['w', w]]);
    stepOnce([w], opt);
    const before = memory().tensors;
    opt.dispose();
    expect(memory().tensors).toBe(before - 3);
    expect(opt.state().tensors.size).toBe(0);
  });
});
