// The shared machinery of optimizers: named parameters, the learning rate, a step counter, and per-parameter
// state tensors that are kept alive across tidy scopes and updated in place (assign), so memory stays flat.

import type { Tensor } from '../tensor.js';
import { zerosLike } from '../creation.js';
import { noGrad } from '../autograd/graph.js';
import { keep, tidy } from '../memory.js';
import { fmt } from '../shape.js';

/** Options of one `Optimizer.step`. */
export interface StepOptions {
  /**
   * A one-element tensor every gradient is multiplied by before the update: `clipGradScale`'s min(1, maxNorm / norm).
   * Passing it here instead of rescaling the gradients lets clipping fold into a fused update with no readback.
   */
  gradScale?: Tensor;
}

/** Parameters as a plain list or as [name, tensor] pairs (names make state and decay rules readable). */
export type ParamsInput = readonly Tensor[] | readonly (readonly [string, Tensor])[];

/** A snapshot of optimizer state: scalars plus state tensors named `<slot>.<param name>`. */
export interface OptimizerState {
  type: string;
  step: number;
  lr: number;
  tensors: Map<string, Tensor>;
}

export function toNamed(params: ParamsInput): [string, Tensor][] {
  return params.map((p, i) => (Array.isArray(p) ? [p[0], p[1]] : [`param.${i}`, p as Tensor]) as [string, Tensor]);
}

/** What every optimizer shares: the parameters, the learning rate, step(), zeroGrad() and state for checkpoints. */
export abstract class Optimizer {
  readonly params: [string, Tensor][];
  lr: number;
  /** Number of completed steps. */
  stepCount = 0;
  private readonly slots = new Map<string, Tensor>();

  protected constructor(
    readonly type: string,
    params: ParamsInput,
    lr: number,
  ) {
    this.params = toNamed(params);
    if (this.params.length === 0) throw new Error(`${type}: no parameters to optimize`);
    const names = new Set<string>();
    for (const [name, p] of this.params) {
      if (names.has(name)) throw new Error(`${type}: parameter name '${name}' appears twice`);
      names.add(name);
      if (p.dtype === 'int32')
        throw new Error(`${type}: parameter '${name}' ${fmt(p.shape)} is int32; only float tensors can be optimized`);
    }
    if (!(lr >= 0)) throw new Error(`${type}: lr must be >= 0, got ${lr}`);
    this.lr = lr;
  }

  /** Applies one update to every parameter that has a gradient (scaled by `options.gradScale` when given). */
  step(options: StepOptions = {}): void {
    const { gradScale } = options;
    if (gradScale) {
      gradScale.assertAlive(`${this.type}.step`);
      const [, first] = this.params[0];
      if (gradScale.size !== 1 || gradScale.dtype !== first.dtype || gradScale.backend !== first.backend) {
        throw new Error(
          `${this.type}.step: gradScale must be one ${first.dtype} element on ${first.backend.name}, ` +
            `got ${fmt(gradScale.shape)} ${gradScale.dtype} on ${gradScale.backend.name}`,
        );
      }
    }
    this.stepCount++;
    tidy(() =>
      noGrad(() => {
        for (const [name, p] of this.params) {
          if (p.grad) this.update(name, p, p.grad, gradScale);
        }
      }),
    );
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const [, p] of this.params) p.zeroGrad();
  }

  /**
   * The state slots a stepped parameter has (e.g. Adam's exp_avg and exp_avg_sq): loadState refuses a state that
   * holds some of a parameter's slots but not all, since a missing one would silently restart at zero.
   */
  protected abstract stateSlots(): readonly string[];

  /** Writes the new value of `p` (via slot/assign) from `grad` times `gradScale`; runs under noGrad inside tidy. */
  protected abstract update(name: string, p: Tensor, grad: Tensor, gradScale?: Tensor): void;

  /** A state tensor of `p`'s shape (zeros at first), kept across scopes. */
  protected slot(slotName: string, paramName: string, p: Tensor): Tensor {
    const key = `${slotName}.${paramName}`;
    let t = this.slots.get(key);
    if (!t) {
      t = keep(zerosLike(p));
      this.slots.set(key, t);
    }
    return t;
  }

  /** Copies of the state (the caller owns and disposes the tensors). */
  state(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    for (const [key, t] of this.slots) tensors.set(key, keep(t.detach()));
    return { type: this.type, step: this.stepCount, lr: this.lr, tensors };
  }

  /** Restores a snapshot from `state()` (values are copied in; shapes and names must match these parameters). */
  loadState(s: OptimizerState): void {
    if (s.type !== this.type) throw new Error(`${this.type}.loadState: the state was saved by ${s.type}`);
    if (!Number.isInteger(s.step) || s.step < 0)
      throw new Error(`${this.type}.loadState: step must be an integer >= 0, got ${s.step}`);
    const byName = new Map(this.params);
    const pending: [string, Tensor, Tensor][] = [];
    for (const [key, t] of s.tensors) {
      const dot = key.indexOf('.');
      const param = byName.get(key.slice(dot + 1));
      if (dot < 0 || !param)
        throw new Error(`${this.type}.loadState: state tensor '${key}' belongs to no parameter of this optimizer`);
      if (t.shape.join() !== param.shape.join() || t.dtype !== param.dtype) {
        throw new Error(
          `${this.type}.loadState: state tensor '${key}' is ${fmt(t.shape)} ${t.dtype}, ` +
            `its parameter is ${fmt(param.shape)} ${param.dtype}`,
        );
      }
      pending.push([key, param, t]);
    }
    this.checkComplete(
      s,
      pending.map(([key]) => key),
    );
    // validated in full before anything changes, so a bad state never leaves a half-loaded optimizer
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
    for (const [key, param, t] of pending) {
      const copy = keep(zerosLike(param));
      copy.assign(t);
      this.slots.set(key, copy);
    }
    this.stepCount = s.step;
    this.lr = s.lr;
  }

  /** Every parameter with state has all of this optimizer's slots, and a stepped optimizer has some state. */
  private checkComplete(s: OptimizerState, keys: readonly string[]): void {
    const slots = this.stateSlots();
    const present = new Set(keys);
    for (const key of keys) {
      const slot = key.slice(0, key.indexOf('.'));
      if (!slots.includes(slot)) {
        throw new Error(
          `${this.type}.loadState: state tensor '${key}' is not a slot of ${this.type} ` +
            `(its slots: ${slots.join(', ') || 'none'})`,
        );
      }
    }
    for (const [name] of this.params) {
      const missing = slots.filter((slot) => !present.has(`${slot}.${name}`));
      if (missing.length > 0 && missing.length < slots.length) {
        throw new Error(
          `${this.type}.loadState: the state of parameter '${name}' lacks ` +
            `${missing.map((m) => `'${m}.${name}'`).join(', ')}; ` +
            'an incomplete state would restart those at zero and distort the next steps',
        );
      }
    }
    if (s.step > 0 && slots.length > 0 && keys.length === 0) {
      throw new Error(`${this.type}.loadState: the state is at step ${s.step} but holds no ${slots.join('/')} tensors`);
    }
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
  }
}
